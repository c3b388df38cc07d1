// Command sdk-go drives this platform with the upstream Go SDK, sigs.k8s.io/agent-sandbox/clients/go/sandbox, as
// a user of the kata-aks example would: the SDK creates a SandboxClaim on the warm pool and waits until its Sandbox
// is Ready (through its own watches), in direct mode (Options.APIURL = the router); the program then chats with the
// agent through the router, checks that the reply comes from the agent of the owner it named, and deletes the claim
// through the SDK. The router's shared token is added by a wrapping http.RoundTripper; without ROUTER_TOKEN the
// requests carry none (a router in open mode).
//
// Settings (environment): KUBECONFIG (read by the SDK), ROUTER_URL (required), ROUTER_TOKEN, OWNER (gopher),
// SANDBOX_NAMESPACE (sandbox-agent-demo), WARM_POOL (kata-aks-warmpool), AGENT_PORT (8080).
//
// Prints one line "sdk-go: OK ..." and exits 0 when every check passed; otherwise prints what failed on standard
// error and exits 1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/agent-sandbox/clients/go/sandbox"
)

// bearer adds the router's token to every request, as a user wraps a transport they do not own.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token == "" {
		return b.next.RoundTrip(req)
	}
	withToken := req.Clone(req.Context())
	withToken.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(withToken)
}

type chatReply struct {
	Owner        string `json:"owner"`
	Reply        string `json:"reply"`
	HistoryTurns int    `json:"history_turns"`
}

func setting(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sdk-go: FAIL:", err)
		os.Exit(1)
	}
}

func run() error {
	routerURL := os.Getenv("ROUTER_URL")
	if routerURL == "" {
		return fmt.Errorf("ROUTER_URL is not set")
	}
	owner := setting("OWNER", "gopher")
	namespace := setting("SANDBOX_NAMESPACE", "sandbox-agent-demo")
	pool := setting("WARM_POOL", "kata-aks-warmpool")
	port, err := strconv.Atoi(setting("AGENT_PORT", "8080"))
	if err != nil {
		return fmt.Errorf("AGENT_PORT: %w", err)
	}
	transport := bearer{token: os.Getenv("ROUTER_TOKEN"), next: http.DefaultTransport}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client, err := sandbox.NewClient(ctx, sandbox.Options{
		APIURL:              routerURL,
		ServerPort:          port,
		HTTPTransport:       transport,
		SandboxReadyTimeout: 120 * time.Second,
		Quiet:               true,
	})
	if err != nil {
		return fmt.Errorf("NewClient: %w", err)
	}

	start := time.Now()
	sb, err := client.CreateSandbox(ctx, pool, namespace)
	if err != nil {
		return fmt.Errorf("CreateSandbox on warm pool %s/%s: %w", namespace, pool, err)
	}
	ready := time.Since(start)
	deleted := false
	defer func() {
		if !deleted {
			cleanup, stop := context.WithTimeout(context.Background(), 30*time.Second)
			defer stop()
			_ = client.DeleteSandbox(cleanup, sb.ClaimName(), namespace)
		}
	}()
	if !sb.IsReady() || sb.SandboxName() == "" || sb.PodIP() == "" {
		return fmt.Errorf("claim %s: the SDK returned a sandbox that is not ready (sandbox %q, pod IP %q)",
			sb.ClaimName(), sb.SandboxName(), sb.PodIP())
	}

	reply, err := chat(ctx, &http.Client{Transport: transport, Timeout: time.Minute}, routerURL, sb, namespace, port, owner)
	if err != nil {
		return err
	}
	if reply.Owner != owner || !strings.HasPrefix(reply.Reply, "I am "+owner+"'s agent") || reply.HistoryTurns != 1 {
		return fmt.Errorf("sandbox %s answered as the wrong agent: owner %q, history %d, reply %q",
			sb.SandboxName(), reply.Owner, reply.HistoryTurns, reply.Reply)
	}

	// the handle forgets its names once deleted
	claim, sandboxName, pod := sb.ClaimName(), sb.SandboxName(), sb.PodName()
	if err := client.DeleteSandbox(ctx, claim, namespace); err != nil {
		return fmt.Errorf("DeleteSandbox %s: %w", claim, err)
	}
	deleted = true
	claims, err := client.ListAllSandboxes(ctx, namespace)
	if err != nil {
		return fmt.Errorf("ListAllSandboxes: %w", err)
	}
	if slices.Contains(claims, claim) {
		return fmt.Errorf("claim %s is still listed after DeleteSandbox", claim)
	}

	fmt.Printf("sdk-go: OK claim=%s sandbox=%s pod=%s ready_ms=%d owner=%s reply=%q\n",
		claim, sandboxName, pod, ready.Milliseconds(), reply.Owner, reply.Reply)
	return nil
}

// chat sends one prompt through the router, as upstream's kata-aks client does: the SDK resolved the sandbox, the
// routing headers name it.
func chat(ctx context.Context, http_ *http.Client, routerURL string, sb *sandbox.Sandbox, namespace string, port int,
	owner string) (*chatReply, error) {
	body, _ := json.Marshal(map[string]string{"prompt": "Who are you?"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(routerURL, "/")+"/chat",
		bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sandbox-ID", sb.SandboxName())
	req.Header.Set("X-Sandbox-Namespace", namespace)
	req.Header.Set("X-Sandbox-Port", strconv.Itoa(port))
	req.Header.Set("X-Sandbox-Pod-IP", sb.PodIP())
	req.Header.Set("X-Owner", owner)
	resp, err := http_.Do(req)
	if err != nil {
		return nil, fmt.Errorf("chat through the router: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("chat with sandbox %s: the router answered %d: %s", sb.SandboxName(), resp.StatusCode, raw)
	}
	var reply chatReply
	if err := json.Unmarshal(raw, &reply); err != nil {
		return nil, fmt.Errorf("chat with sandbox %s: not a chat reply: %s", sb.SandboxName(), raw)
	}
	return &reply, nil
}
