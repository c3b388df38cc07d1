package dev.agentsandbox.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The owner-aware agent: answers each owner with that owner's own history, one chat at a time per owner. The history
 * changes only when the model has answered (and, when streaming, the caller has received the whole reply), so a
 * failed, timed-out or abandoned chat leaves it as it was.
 */
@ApplicationScoped
public class OwnerAgent {

    private static final Logger LOG = Logger.getLogger(OwnerAgent.class);

    private final AgentConfig config;
    private final ChatModel model;
    private final StreamingChatModel streamingModel;
    private final ModelMetrics metrics;
    private final String modelName;
    private final Duration streamDeadline;
    private final ConversationStore store;
    private final OwnerLanes lanes = new OwnerLanes();
    private final ExecutorService workers;

    @Inject
    public OwnerAgent(
            AgentConfig config,
            ChatModel model,
            StreamingChatModel streamingModel,
            ModelMetrics metrics,
            ObjectMapper json,
            @ConfigProperty(name = "quarkus.langchain4j.openai.chat-model.model-name") String modelName,
            @ConfigProperty(name = "quarkus.langchain4j.openai.timeout", defaultValue = "60s") Duration timeout,
            @ConfigProperty(name = "quarkus.langchain4j.openai.max-retries", defaultValue = "1") int retries) {
        this.config = config;
        this.model = model;
        this.streamingModel = streamingModel;
        this.metrics = metrics;
        this.modelName = "\"" + modelName + "\"";
        // A slow trickle of tokens could outlast a per-read timeout: bound the whole stream like a chat with retries.
        this.streamDeadline = timeout.multipliedBy(retries + 1L);
        this.store = config.historyDir()
                .<ConversationStore>map(dir -> new DirectoryConversationStore(dir, json))
                .orElseGet(MemoryConversationStore::new);
        this.workers = workers(config);
        LOG.infof(
                "agent history: %s",
                config.historyDir().map(d -> "files in " + d).orElse("in memory"));
    }

    /** Answers {@code prompt} as {@code owner}'s agent. */
    public CompletableFuture<ChatReply> chat(Owner owner, String prompt) {
        return lanes.submit(
                owner,
                () -> onWorker(() -> {
                    List<Turn> history = store.history(owner);
                    long start = System.nanoTime();
                    String reply;
                    try {
                        ChatResponse response = model.chat(request(owner, history, prompt));
                        reply = textOf(response, null);
                    } catch (RuntimeException e) {
                        AgentFailure failure = ModelFailures.classify(e, modelName);
                        metrics.record("chat", Duration.ofNanos(System.nanoTime() - start), failure);
                        log(owner, failure, e);
                        throw failure;
                    }
                    metrics.record("chat", Duration.ofNanos(System.nanoTime() - start), null);
                    return commit(owner, history, prompt, reply);
                }));
    }

    /** Answers {@code prompt} as {@code owner}'s agent, handing the reply to {@code sink} as the model produces it. */
    public CompletableFuture<ChatReply> stream(Owner owner, String prompt, ReplyStream sink) {
        return lanes.submit(owner, () -> {
            CompletableFuture<ChatReply> done = new CompletableFuture<>();
            AtomicBoolean finished = new AtomicBoolean();
            try {
                workers.execute(() -> startStream(owner, prompt, sink, done, finished));
            } catch (RejectedExecutionException e) {
                finished.set(true);
                done.completeExceptionally(busy());
                return done;
            }
            // A reply that is not complete by the deadline is answered with 504 and never committed.
            CompletableFuture.delayedExecutor(streamDeadline.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> {
                        if (finished.compareAndSet(false, true)) {
                            AgentFailure failure = new AgentFailure(
                                    504,
                                    "model " + modelName + " did not complete the streamed reply within "
                                            + streamDeadline.toSeconds() + "s");
                            metrics.record("stream", streamDeadline, failure);
                            done.completeExceptionally(failure);
                        }
                    });
            return done;
        });
    }

    /** Forgets {@code owner}'s history, after any chat of that owner still running. */
    public CompletableFuture<Void> reset(Owner owner) {
        return lanes.submit(
                owner,
                () -> onWorker(() -> {
                    store.clear(owner);
                    return null;
                }));
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    private void startStream(
            Owner owner, String prompt, ReplyStream sink, CompletableFuture<ChatReply> done, AtomicBoolean finished) {
        List<Turn> history;
        try {
            history = store.history(owner);
        } catch (RuntimeException e) {
            if (finished.compareAndSet(false, true)) {
                done.completeExceptionally(e);
            }
            return;
        }
        long start = System.nanoTime();
        StringBuilder streamed = new StringBuilder();
        StreamingChatResponseHandler handler = new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                if (!finished.get() && partial != null && !partial.isEmpty()) {
                    streamed.append(partial);
                    sink.token(partial);
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                metrics.record("stream", Duration.ofNanos(System.nanoTime() - start), null);
                String reply;
                try {
                    reply = textOf(response, streamed.toString());
                } catch (AgentFailure e) {
                    done.completeExceptionally(e);
                    return;
                }
                if (!sink.open()) {
                    done.completeExceptionally(new AgentFailure(
                            499, "chat of owner " + owner + ": the caller went away before the reply was complete"));
                    return;
                }
                // Writing the history may touch the disk: never on the thread that delivers the stream.
                try {
                    CompletableFuture.supplyAsync(() -> commit(owner, history, prompt, reply), workers)
                            .whenComplete((r, e) -> {
                                if (e != null) {
                                    done.completeExceptionally(e);
                                } else {
                                    done.complete(r);
                                }
                            });
                } catch (RejectedExecutionException e) {
                    done.completeExceptionally(busy());
                }
            }

            @Override
            public void onError(Throwable error) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                AgentFailure failure = ModelFailures.classify(error, modelName);
                metrics.record("stream", Duration.ofNanos(System.nanoTime() - start), failure);
                log(owner, failure, error);
                done.completeExceptionally(failure);
            }
        };
        try {
            streamingModel.chat(request(owner, history, prompt), handler);
        } catch (RuntimeException e) {
            handler.onError(e);
        }
    }

    /** Model failures are expected in operation: one line each, the stack trace only at debug level. */
    private static void log(Owner owner, AgentFailure failure, Throwable cause) {
        LOG.warnf("chat of owner %s: %s", owner, failure.detail());
        LOG.debugf(cause, "chat of owner %s failed", owner);
    }

    private ChatReply commit(Owner owner, List<Turn> history, String prompt, String reply) {
        List<Turn> next = Turn.append(history, new Turn(prompt, reply), config.historyPairs());
        store.replace(owner, next);
        return new ChatReply(owner, reply, next.size());
    }

    private ChatRequest request(Owner owner, List<Turn> history, String prompt) {
        List<ChatMessage> messages = new ArrayList<>(history.size() * 2 + 2);
        messages.add(SystemMessage.from(SystemPrompt.forOwner(owner)));
        for (Turn turn : history) {
            messages.add(UserMessage.from(turn.user()));
            messages.add(AiMessage.from(turn.assistant()));
        }
        messages.add(UserMessage.from(prompt));
        return ChatRequest.builder().messages(messages).build();
    }

    private String textOf(ChatResponse response, String streamed) {
        String text = response == null || response.aiMessage() == null
                ? null
                : response.aiMessage().text();
        if ((text == null || text.isEmpty()) && streamed != null) {
            text = streamed;
        }
        if (text == null || text.isEmpty()) {
            throw new AgentFailure(
                    502,
                    "model " + modelName + " returned no text"
                            + (response != null && response.finishReason() != null
                                    ? " (finish reason " + response.finishReason() + ")"
                                    : ""));
        }
        return text;
    }

    private <T> CompletableFuture<T> onWorker(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(busy());
        }
    }

    private AgentFailure busy() {
        return new AgentFailure(
                503, "agent is busy: " + config.queuedChats() + " chats are already waiting for the model");
    }

    private static ExecutorService workers(AgentConfig config) {
        if (config.workers() < 1) {
            throw new IllegalArgumentException("sandbox.agent.workers must be at least 1, not " + config.workers());
        }
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                config.workers(),
                config.workers(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, config.queuedChats())),
                runnable -> {
                    Thread thread = new Thread(runnable, "agent-chat-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
