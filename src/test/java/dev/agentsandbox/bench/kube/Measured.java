package dev.agentsandbox.bench.kube;

import java.util.Map;

/**
 * One scenario of one round for one controller: the client-side figures, the controller's API requests (from the
 * audit log), its CPU seconds and peak resident memory, and the number of sandboxes or claims the writes are divided
 * by.
 */
record Measured(
        String scenario,
        String controller,
        int round,
        Map<String, Double> figures,
        AuditCounts requests,
        double cpuSeconds,
        double peakRssMib,
        int units) {

    double writesPerUnit() {
        return units == 0 ? Double.NaN : (double) requests.writes() / units;
    }
}
