// Command etcd is etcd's own server entry point, built from go.etcd.io/etcd/server/v3
// (the etcd binary's main package lives in a module that the Kubernetes release does not pin).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
