package dev.agentsandbox.compat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/** The upstream SDKs' flows ({@link UpstreamSdkFlows}) against local mode's embedded API server. */
class UpstreamSdkIT extends UpstreamSdkFlows {

    @BeforeAll
    static void serveOnTheEmbeddedApiServer() throws Exception {
        serve("upstream-sdk-it", Duration.ofSeconds(180), List.of());
    }
}
