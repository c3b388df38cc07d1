//go:build tools

// Package tools pins the upstream agent-sandbox controller (sigs.k8s.io/agent-sandbox) in
// go.mod and go.sum; build.sh builds its main package from the module cache. No upstream
// source is kept in this repository.
package tools

import (
	_ "sigs.k8s.io/agent-sandbox/cmd/agent-sandbox-controller"
)
