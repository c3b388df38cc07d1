// Command informer checks that a client-go shared informer, listing and watching SandboxClaims with a label
// selector, sees a claim's ADDED, MODIFIED and DELETED in that order and nothing of a claim outside its selector.
//
// Usage: informer -kubeconfig FILE -namespace NS
//
// It prints one line per event it saw, then the requests the informer made for SandboxClaims ("request: ..."),
// and exits 0 when the events are the expected ones, 1 otherwise. Whether client-go streams the initial state
// (sendInitialEvents, its WatchListClient feature) or lists first follows the environment variable
// KUBE_FEATURE_WatchListClient.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

var claims = schema.GroupVersionResource{Group: "extensions.agents.x-k8s.io", Version: "v1beta1", Resource: "sandboxclaims"}

// requestLog records the informer's requests for SandboxClaims, to show whether it listed or streamed.
type requestLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if strings.HasSuffix(r.URL.Path, "/sandboxclaims") && r.Method == http.MethodGet {
		status := "error"
		if err == nil {
			status = fmt.Sprint(resp.StatusCode)
		}
		l.mu.Lock()
		l.seen = append(l.seen, fmt.Sprintf("GET %s -> %s", r.URL.RawQuery, status))
		l.mu.Unlock()
	}
	return resp, err
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the API server")
	namespace := flag.String("namespace", "default", "namespace of the claims")
	flag.Parse()
	if err := run(*kubeconfig, *namespace); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("OK")
}

func run(kubeconfig, namespace string) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	log := &requestLog{}
	config.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		log.next = rt
		return log
	})
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	run := fmt.Sprintf("go-%d", time.Now().UnixNano())
	selector := "compat-run=" + run
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	events := make(chan string, 100)
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = selector })
	informer := factory.ForResource(claims).Informer()
	report := func(kind string) func(obj interface{}) {
		return func(obj interface{}) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			events <- kind + " " + obj.(*unstructured.Unstructured).GetName()
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    report("ADDED"),
		UpdateFunc: func(_, obj interface{}) { report("MODIFIED")(obj) },
		DeleteFunc: report("DELETED"),
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("the informer did not sync")
	}

	api := client.Resource(claims).Namespace(namespace)
	claim, outside := "informed-"+run, "outside-"+run
	for _, c := range []struct {
		name   string
		labels map[string]interface{}
	}{{outside, map[string]interface{}{"compat-run": "other"}}, {claim, map[string]interface{}{"compat-run": run}}} {
		obj := &unstructured.Unstructured{Object: map[string]interface{}{
			"apiVersion": "extensions.agents.x-k8s.io/v1beta1",
			"kind":       "SandboxClaim",
			"metadata":   map[string]interface{}{"name": c.name, "labels": c.labels},
			"spec":       map[string]interface{}{"warmPoolRef": map[string]interface{}{"name": "compat-pool"}},
		}}
		if _, err := api.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create %s: %w", c.name, err)
		}
	}
	patch := []byte(`{"metadata":{"annotations":{"compat/step":"modified"}}}`)
	for _, name := range []string{outside, claim} {
		if _, err := api.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("patch %s: %w", name, err)
		}
		if err := api.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("delete %s: %w", name, err)
		}
	}

	var seen []string
	for len(seen) < 3 {
		select {
		case e := <-events:
			seen = append(seen, e)
			fmt.Println("event:", e)
		case <-time.After(20 * time.Second):
			return fmt.Errorf("saw %v, then nothing for 20 s", seen)
		}
	}
	select { // anything more, for instance of the claim outside the selector, is wrong
	case e := <-events:
		seen = append(seen, e)
		fmt.Println("event:", e)
	case <-time.After(500 * time.Millisecond):
	}
	log.mu.Lock()
	for _, r := range log.seen {
		fmt.Println("request:", r)
	}
	log.mu.Unlock()
	want := []string{"ADDED " + claim, "MODIFIED " + claim, "DELETED " + claim}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		return fmt.Errorf("saw %v, want %v", seen, want)
	}
	return nil
}
