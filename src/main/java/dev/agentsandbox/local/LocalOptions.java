package dev.agentsandbox.local;

import java.util.Optional;

/**
 * The options of {@code local}, read before Quarkus boots (they decide which Kubernetes API is started).
 *
 * @param serve serve instead of running the demo
 * @param controlPlane {@code embedded} (the default) or {@code kube}
 * @param help print the usage and exit
 */
record LocalOptions(boolean serve, String controlPlane, boolean help) {

    static final String EMBEDDED = "embedded";
    static final String KUBE = "kube";

    static final String USAGE =
            """
            usage: java -jar quarkus-run.jar local [--serve] [--control-plane=embedded|kube]

            Runs the whole platform on this machine: a Kubernetes API, the controllers and the router of this build,
            a process kubelet that runs Pods as processes on loopback addresses, and the kata-aks example's warm pool.

              (no option)              run the demo: claim a sandbox for alice and bob, chat through the router with
                                       each owner's token, check the answers, delete the claims, exit 0 on success
              --serve                  serve instead; print ROUTER_TOKEN_ALICE, ROUTER_TOKEN_BOB, KUBECONFIG and
                                       ROUTER_URL on standard output, and run until Ctrl-C or SIGTERM
              --control-plane=NAME     the Kubernetes API the platform runs on:
                                         embedded  the embedded API server (default; starts in about a second)
                                         kube      a real control plane: etcd, kube-apiserver, kube-controller-manager
                                                   and kube-scheduler %s, with RBAC, built by tools/kube/build.sh;
                                                   the kubelet registers Nodes and runs the Pods bound to them
              --help                   print this and exit
            """;

    static LocalOptions parse(String... args) {
        boolean serve = false;
        boolean help = false;
        String controlPlane = EMBEDDED;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--serve")) {
                serve = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.startsWith("--control-plane=")) {
                controlPlane = arg.substring("--control-plane=".length());
            } else if (arg.equals("--control-plane") && i + 1 < args.length) {
                controlPlane = args[++i];
            }
        }
        if (!controlPlane.equals(EMBEDDED) && !controlPlane.equals(KUBE)) {
            throw new IllegalArgumentException(
                    "local: unknown control plane \"" + controlPlane + "\": expected embedded or kube");
        }
        return new LocalOptions(serve, controlPlane, help);
    }

    Optional<String> usageIfAsked() {
        return help
                ? Optional.of(USAGE.formatted(dev.agentsandbox.local.controlplane.KubeBinaries.VERSION))
                : Optional.empty();
    }
}
