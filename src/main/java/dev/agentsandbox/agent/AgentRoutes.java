package dev.agentsandbox.agent;

import dev.agentsandbox.app.SandboxConfig;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The agent's HTTP contract (docs/api.md section 11): {@code GET /healthz}, {@code POST /chat}, {@code POST /chat/stream}
 * (Server-Sent Events) and {@code POST /reset}. Registered only in the agent role, so no other role exposes them.
 * Handlers run on the event loop and only parse, validate and hand over: the model is called on the agent's workers.
 */
@Singleton
public class AgentRoutes {

    private static final Logger LOG = Logger.getLogger(AgentRoutes.class);
    private static final String JSON = "application/json";

    private final SandboxConfig sandbox;
    private final AgentConfig config;
    private final Instance<OwnerAgent> agent;

    public AgentRoutes(SandboxConfig sandbox, AgentConfig config, Instance<OwnerAgent> agent) {
        this.sandbox = sandbox;
        this.config = config;
        this.agent = agent;
    }

    void register(@Observes Router router) {
        if (!sandbox.role().runsAgent()) {
            return;
        }
        // JSON escapes can make a prompt up to six bytes per character; the prompt's own limit is checked after.
        long bodyLimit = (long) config.maxPromptChars() * 6 + 4096;
        router.get("/healthz").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("ok", true)));
        router.post("/chat")
                .handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
                .handler(this::chat)
                .failureHandler(this::failed);
        router.post("/chat/stream")
                .handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
                .handler(this::stream)
                .failureHandler(this::failed);
        router.post("/reset").handler(this::reset).failureHandler(this::failed);
        LOG.infof(
                "agent endpoints ready: /healthz, /chat, /chat/stream, /reset (prompts up to %d characters)",
                config.maxPromptChars());
    }

    private void chat(RoutingContext ctx) {
        Owner owner;
        String prompt;
        try {
            owner = ownerOf(ctx);
            prompt = promptOf(ctx);
        } catch (AgentFailure e) {
            fail(ctx.response(), e);
            return;
        }
        answer(ctx, owner, agent.get().chat(owner, prompt), AgentRoutes::chatBody);
    }

    private void reset(RoutingContext ctx) {
        Owner owner;
        try {
            owner = ownerOf(ctx);
        } catch (AgentFailure e) {
            fail(ctx.response(), e);
            return;
        }
        answer(ctx, owner, agent.get().reset(owner), ignored -> new JsonObject()
                .put("owner", owner.name())
                .put("reset", true));
    }

    private void stream(RoutingContext ctx) {
        Owner owner;
        String prompt;
        try {
            owner = ownerOf(ctx);
            prompt = promptOf(ctx);
        } catch (AgentFailure e) {
            fail(ctx.response(), e);
            return;
        }
        EventStream events = new EventStream(ctx.response(), ctx.vertx().getOrCreateContext());
        agent.get().stream(owner, prompt, events).whenComplete((reply, error) -> {
            if (error != null) {
                events.fail(failureOf(error, owner));
            } else {
                events.done(chatBody(reply));
            }
        });
    }

    /** The owner {@code X-Owner} names ({@code anonymous} without it); a value that is no owner is a 400. */
    private static Owner ownerOf(RoutingContext ctx) {
        try {
            return Owner.fromHeader(ctx.request().getHeader(Owner.HEADER));
        } catch (IllegalArgumentException e) {
            throw new AgentFailure(400, e.getMessage());
        }
    }

    /** The body of {@code /chat} and of the stream's {@code done} event (docs/api.md section 11.1). */
    private static JsonObject chatBody(ChatReply reply) {
        return new JsonObject()
                .put("owner", reply.owner().name())
                .put("reply", reply.reply())
                .put("history_turns", reply.historyTurns());
    }

    private String promptOf(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body() == null || ctx.body().buffer() == null
                    ? null
                    : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new AgentFailure(400, "request body must be a JSON object like {\"prompt\": \"...\"}");
        }
        if (body == null) {
            throw new AgentFailure(400, "request body must be a JSON object like {\"prompt\": \"...\"}");
        }
        Object prompt = body.getValue("prompt");
        if (prompt != null && !(prompt instanceof String)) {
            throw new AgentFailure(400, "\"prompt\" must be a string");
        }
        String text = (String) prompt;
        if (text == null || text.isBlank()) {
            throw new AgentFailure(400, "\"prompt\" must not be empty");
        }
        int length = text.codePointCount(0, text.length());
        if (length > config.maxPromptChars()) {
            throw new AgentFailure(
                    413, "prompt has " + length + " characters, at most " + config.maxPromptChars() + " are accepted");
        }
        return text;
    }

    private <T> void answer(RoutingContext ctx, Owner owner, CompletionStage<T> result, Function<T, JsonObject> body) {
        // The result completes on a worker; the response is written back on the request's own event loop.
        Context context = ctx.vertx().getOrCreateContext();
        result.whenComplete((value, error) -> context.runOnContext(v -> {
            if (error != null) {
                fail(ctx.response(), failureOf(error, owner));
            } else {
                json(ctx.response(), 200, body.apply(value));
            }
        }));
    }

    /** Failures raised by Vert.x itself on these routes, such as a body over the limit. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String detail =
                switch (status) {
                    case 413 -> "request body too large: prompts up to " + config.maxPromptChars()
                            + " characters are accepted";
                    case 400 -> "malformed request";
                    default -> "request failed"
                            + (ctx.failure() != null ? ": " + ctx.failure().getMessage() : "");
                };
        if (status >= 500) {
            LOG.warnf(
                    ctx.failure(),
                    "agent request %s %s failed",
                    ctx.request().method(),
                    ctx.request().path());
        }
        fail(ctx.response(), new AgentFailure(status, detail));
    }

    static AgentFailure failureOf(Throwable error, Owner owner) {
        Throwable root = ModelFailures.unwrap(error);
        if (root instanceof AgentFailure failure) {
            return failure;
        }
        LOG.errorf(root, "chat of owner %s failed", owner);
        return new AgentFailure(500, "chat of owner " + owner + " failed: " + root);
    }

    static void fail(HttpServerResponse response, AgentFailure failure) {
        json(response, failure.status(), new JsonObject().put("detail", failure.detail()));
    }

    static void json(HttpServerResponse response, int status, JsonObject body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }
}
