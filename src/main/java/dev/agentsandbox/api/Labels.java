package dev.agentsandbox.api;

import java.util.List;

/** Well-known label and annotation keys of the agent-sandbox API, and the reserved prefixes. */
public final class Labels {

    private Labels() {}

    public static final String PREFIX = "agents.x-k8s.io/";
    public static final String EXTENSIONS_PREFIX = "extensions.agents.x-k8s.io/";
    /** User keys under these prefixes are never copied from templates or claims. */
    public static final List<String> RESERVED_PREFIXES = List.of(PREFIX, EXTENSIONS_PREFIX);

    // Labels
    public static final String SANDBOX_NAME_HASH = PREFIX + "sandbox-name-hash";
    public static final String WARM_POOL_SANDBOX = PREFIX + "warm-pool-sandbox";
    public static final String SANDBOX_TEMPLATE_REF_HASH = PREFIX + "sandbox-template-ref-hash";
    public static final String SANDBOX_TEMPLATE_HASH = PREFIX + "sandbox-template-hash";
    public static final String LAUNCH_TYPE = PREFIX + "launch-type";
    public static final String CREATED_BY = PREFIX + "created-by";
    public static final String CLAIM_UID = PREFIX + "claim-uid";
    public static final String ADOPTABLE = PREFIX + "adoptable";
    /** Added by this platform: the end user a sandbox belongs to. The router authorises from it. */
    public static final String OWNER = PREFIX + "owner";

    public static final String LAUNCH_TYPE_WARM = "warm";
    public static final String LAUNCH_TYPE_COLD = "cold";

    // Annotations
    public static final String POD_NAME = PREFIX + "pod-name";
    public static final String SANDBOX_TEMPLATE_REF = PREFIX + "sandbox-template-ref";
    public static final String SANDBOX_NAME = PREFIX + "sandbox-name";
    public static final String CONTROLLER_FIRST_OBSERVED_AT = PREFIX + "controller-first-observed-at";
    public static final String CLAIM_FIRST_READY_AT = PREFIX + "claim-first-ready-at";
    public static final String CLIENT_FIRST_REQUESTED_AT = PREFIX + "client-first-requested-at";

    /** True when a user-supplied label or annotation key falls under a reserved prefix. */
    public static boolean isReserved(String key) {
        return RESERVED_PREFIXES.stream().anyMatch(key::startsWith);
    }
}
