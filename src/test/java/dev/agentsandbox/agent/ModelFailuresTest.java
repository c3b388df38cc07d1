package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ModelFailuresTest {

    @Test
    void timeoutsAnywhereInTheChainAre504() {
        AgentFailure failure = ModelFailures.classify(
                new CompletionException(new RuntimeException("wrapped", new SocketTimeoutException("Read timed out"))),
                "\"m\"");
        assertThat(failure.status()).isEqualTo(504);
        assertThat(failure.detail()).contains("model \"m\" did not answer in time");
        assertThat(ModelFailures.classify(new dev.langchain4j.exception.TimeoutException("slow"), "\"m\"")
                        .status())
                .isEqualTo(504);
    }

    @Test
    void otherFailuresAre502WithTheReason() {
        AgentFailure failure = ModelFailures.classify(new HttpException(401, "invalid api key"), "\"m\"");
        assertThat(failure.status()).isEqualTo(502);
        assertThat(failure.detail()).isEqualTo("model \"m\" failed: invalid api key");
    }

    @Test
    void agentFailuresPassThrough() {
        AgentFailure busy = new AgentFailure(503, "busy");
        assertThat(ModelFailures.classify(new CompletionException(busy), "\"m\""))
                .isSameAs(busy);
    }
}
