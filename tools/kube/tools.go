//go:build tools

// Package tools keeps the control plane's main packages, Helm's, and their dependencies
// in go.mod and go.sum; build.sh builds the binaries from them.
package tools

import (
	_ "helm.sh/helm/v4/pkg/cmd"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubectl/pkg/cmd"
)
