"""Drives this platform with the upstream Python SDK (k8s-agent-sandbox, requirements.txt) as a user would.

SandboxClient.create_sandbox claims a sandbox from the kata-aks warm pool for OWNER (the claim's label
agents.x-k8s.io/owner) and waits, by the SDK's own watch, until the claim is Ready; the SDK's direct connection to the
router then sends a chat with the owner's token (SandboxDirectConnectionConfig.extra_headers) and the routing headers
the SDK sets itself. Checks: the reply comes from that owner's agent (the router states the owner from the Sandbox's
label; the request carries no X-Owner), another owner's token is refused with 403, and the claim is gone after the
SDK deletes it.

Settings (environment): KUBECONFIG (read by the SDK), ROUTER_URL, OWNER_TOKEN, OTHER_OWNER_TOKEN (required),
OWNER (alice), SANDBOX_NAMESPACE (sandbox-agent-demo), WARM_POOL (kata-aks-warmpool), AGENT_PORT (8080).
Prints one line "sdk-python: OK ..." and exits 0 when every check passed; else prints what failed and exits 1.
"""

import os
import sys
import time

from k8s_agent_sandbox import SandboxClient
from k8s_agent_sandbox.exceptions import SandboxRequestError
from k8s_agent_sandbox.models import SandboxDirectConnectionConfig

OWNER_LABEL = "agents.x-k8s.io/owner"


def direct(token: str) -> SandboxDirectConnectionConfig:
    return SandboxDirectConnectionConfig(
        api_url=os.environ["ROUTER_URL"],
        server_port=int(os.environ.get("AGENT_PORT", "8080")),
        extra_headers={"Authorization": f"Bearer {token}"},
    )


def fail(message: str) -> None:
    print(f"sdk-python: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    owner = os.environ.get("OWNER", "alice")
    namespace = os.environ.get("SANDBOX_NAMESPACE", "sandbox-agent-demo")
    pool = os.environ.get("WARM_POOL", "kata-aks-warmpool")

    client = SandboxClient(connection_config=direct(os.environ["OWNER_TOKEN"]))
    start = time.monotonic()
    sandbox = client.create_sandbox(
        warmpool=pool, namespace=namespace, sandbox_ready_timeout=120, labels={OWNER_LABEL: owner})
    ready_ms = int((time.monotonic() - start) * 1000)
    claim = sandbox.claim_name
    try:
        response = sandbox.connector.send_request("POST", "chat", json={"prompt": "Who are you?"}, timeout=60)
        reply = response.json()
        if reply.get("owner") != owner or not reply.get("reply", "").startswith(f"I am {owner}'s agent"):
            fail(f"sandbox {sandbox.sandbox_id} answered as the wrong agent: {reply}")

        stranger = SandboxClient(connection_config=direct(os.environ["OTHER_OWNER_TOKEN"]))
        try:
            stranger.get_sandbox(claim, namespace=namespace).connector.send_request(
                "POST", "chat", json={"prompt": "Whose agent are you?"}, timeout=60, _disable_retries=True)
            fail(f"another owner's token reached {owner}'s sandbox {sandbox.sandbox_id}")
        except SandboxRequestError as refused:
            if refused.status_code != 403:
                fail(f"another owner's token: expected 403, got {refused.status_code}: {refused}")
    finally:
        client.delete_sandbox(claim, namespace=namespace)
    if claim in client.list_all_sandboxes(namespace=namespace):
        fail(f"claim {claim} is still listed after delete_sandbox")
    print(f"sdk-python: OK claim={claim} sandbox={sandbox.sandbox_id} ready_ms={ready_ms} owner={reply['owner']} "
          f"reply={reply['reply']!r}")


if __name__ == "__main__":
    main()
