package dev.agentsandbox.router;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Keep-alive connections to sandboxes, one pool per event loop, as nginx keeps one upstream pool per worker: a
 * request goes out on a connection of the loop that received it, so the request and its response are handled on
 * one thread with no locking. Per sandbox address at most {@code maxPerAddress} connections are open; requests
 * beyond that wait for one to come free, up to the connect timeout. Idle connections are reused newest first and
 * closed after {@code keepAlive} unused (checked by one periodic sweep per loop).
 */
final class UpstreamPool {

    /** Asks for a connection; told on the event loop. */
    interface Acquirer {
        void acquired(UpstreamConnection connection);

        /** No connection: the connect failed ({@link ConnectException}) or every allowed one stayed busy. */
        void failed(Throwable cause);
    }

    /** Every allowed connection to a sandbox stayed busy for the connect timeout. */
    static final class BusyException extends Exception {
        BusyException(String message) {
            super(message, null, false, false);
        }
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxPerAddress;
    private final long keepAliveNanos;
    private final long connectTimeoutMillis;
    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final IntConsumer openedOrClosed;
    private final Map<String, Address> byHost = new HashMap<>();
    private final Set<UpstreamConnection> all = new HashSet<>();
    private final ScheduledFuture<?> sweeper;
    private boolean closed;

    private UpstreamPool(VertxInternal vertx, EventLoop loop, Settings settings) {
        this.loop = loop;
        this.maxPerAddress = Math.max(1, settings.maxPerAddress);
        this.keepAliveNanos = settings.keepAlive.toNanos();
        this.connectTimeoutMillis = Math.max(1, settings.connectTimeout.toMillis());
        this.maxInitialLineLength = settings.maxInitialLineLength;
        this.maxHeaderSize = settings.maxHeaderSize;
        this.openedOrClosed = settings.openedOrClosed;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(vertx.transport().channelFactory(false))
                // Vert.x's resolver: a Service's DNS name is looked up without blocking the loop
                .resolver(vertx.nettyAddressResolverGroup())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis);
        long sweepNanos = Math.max(TimeUnit.SECONDS.toNanos(1), keepAliveNanos / 4);
        this.sweeper = loop.scheduleAtFixedRate(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    /** How the pools connect. */
    record Settings(
            Duration connectTimeout,
            Duration keepAlive,
            int maxPerAddress,
            int maxInitialLineLength,
            int maxHeaderSize,
            IntConsumer openedOrClosed) {}

    /** The pool of each event loop, made on first use there. */
    static final class PerLoop implements AutoCloseable {
        private final VertxInternal vertx;
        private final Settings settings;
        private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

        PerLoop(Vertx vertx, Settings settings) {
            this.vertx = (VertxInternal) vertx;
            this.settings = settings;
        }

        /** The pool of the event loop running the caller, which must be on a Vert.x event loop. */
        UpstreamPool current() {
            Context context = Vertx.currentContext();
            if (context == null || !context.isEventLoopContext()) {
                throw new IllegalStateException("not on a Vert.x event loop");
            }
            EventLoop loop = ((ContextInternal) context).nettyEventLoop();
            UpstreamPool pool = pools.get(loop);
            return pool != null ? pool : pools.computeIfAbsent(loop, l -> new UpstreamPool(vertx, l, settings));
        }

        @Override
        public void close() {
            pools.values().forEach(UpstreamPool::close);
            pools.clear();
        }
    }

    /** Finds a connection to {@code host:port} for {@code acquirer}: an idle one, a new one, or the next to come free. */
    void acquire(String host, int port, Acquirer acquirer) {
        Address address = address(host, port);
        long now = System.nanoTime();
        UpstreamConnection idle;
        while ((idle = address.idle.pollLast()) != null) {
            if (idle.channel.isActive() && now - idle.idleSince < keepAliveNanos) {
                acquirer.acquired(idle);
                return;
            }
            idle.channel.close();
        }
        connectOrWait(address, acquirer);
    }

    /** Opens a new connection, never reused: for retrying a request that a reused connection lost. */
    void acquireNew(String host, int port, Acquirer acquirer) {
        connectOrWait(address(host, port), acquirer);
    }

    /** A new connection while the address is below its limit, else the next one to come free. */
    private void connectOrWait(Address address, Acquirer acquirer) {
        if (address.open < maxPerAddress) {
            connect(address, acquirer);
        } else {
            address.enqueue(acquirer);
        }
    }

    private Address address(String host, int port) {
        Address first = byHost.get(host);
        for (Address a = first; a != null; a = a.next) {
            if (a.port == port) {
                return a;
            }
        }
        Address created = new Address(host, port, first);
        byHost.put(host, created);
        return created;
    }

    private void connect(Address address, Acquirer acquirer) {
        if (closed) {
            acquirer.failed(new ConnectException("the router is shutting down"));
            return;
        }
        address.open++;
        ChannelFuture connecting = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        UpstreamConnection connection = new UpstreamConnection(address, channel);
                        channel.pipeline()
                                .addLast(UpstreamConnection.encoder())
                                .addLast(connection.decoder(maxInitialLineLength, maxHeaderSize))
                                .addLast(connection);
                    }
                })
                .connect(address.host, address.port);
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                UpstreamConnection connection = connecting.channel().pipeline().get(UpstreamConnection.class);
                all.add(connection);
                openedOrClosed.accept(1);
                acquirer.acquired(connection);
            } else {
                address.open--;
                Throwable cause = done.cause();
                acquirer.failed(
                        cause instanceof ConnectException ? cause : new ConnectException(String.valueOf(cause)));
                address.serveWaiting();
            }
        });
    }

    /** Closes connections idle for longer than the keep-alive, and forgets addresses with nothing open. */
    private void sweep() {
        long now = System.nanoTime();
        List<UpstreamConnection> stale = null;
        for (Address head : byHost.values()) {
            for (Address a = head; a != null; a = a.next) {
                for (UpstreamConnection c : a.idle) {
                    if (now - c.idleSince >= keepAliveNanos) {
                        if (stale == null) {
                            stale = new ArrayList<>();
                        }
                        stale.add(c);
                    }
                }
            }
        }
        if (stale != null) {
            // closing edits the idle lists (channelInactive): not while iterating them
            stale.forEach(c -> c.channel.close());
        }
        byHost.values().removeIf(head -> {
            Address kept = null;
            for (Address a = head; a != null; a = a.next) {
                if (a.open > 0 || !a.waiting.isEmpty()) {
                    kept = a;
                }
            }
            return kept == null;
        });
    }

    private void close() {
        if (loop.isShuttingDown()) {
            return; // Vert.x is closing: its event loops close every channel on them
        }
        loop.execute(() -> {
            closed = true;
            sweeper.cancel(false);
            new ArrayList<>(all).forEach(c -> c.channel.close());
        });
    }

    /** The connections to one sandbox address. */
    final class Address {
        final String host;
        final int port;
        final Address next;
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        /** Open or opening. */
        int open;

        Address(String host, int port, Address next) {
            this.host = host;
            this.port = port;
            this.next = next;
        }

        void release(UpstreamConnection connection) {
            Waiting next = waiting.poll();
            if (next != null) {
                next.timeout.cancel(false);
                next.acquirer.acquired(connection);
                return;
            }
            connection.idleSince = System.nanoTime();
            idle.addLast(connection);
        }

        void closed(UpstreamConnection connection) {
            open--;
            if (all.remove(connection)) {
                openedOrClosed.accept(-1);
            }
            idle.remove(connection);
            serveWaiting();
        }

        void serveWaiting() {
            if (open < maxPerAddress && !closed) {
                Waiting next = waiting.poll();
                if (next != null) {
                    next.timeout.cancel(false);
                    connect(this, next.acquirer);
                }
            }
        }

        void enqueue(Acquirer acquirer) {
            Waiting waiter = new Waiting(acquirer);
            waiter.timeout = loop.schedule(
                    () -> {
                        if (waiting.remove(waiter)) {
                            acquirer.failed(new BusyException("all " + maxPerAddress + " connections stayed busy for "
                                    + connectTimeoutMillis + " ms"));
                        }
                    },
                    connectTimeoutMillis,
                    TimeUnit.MILLISECONDS);
            waiting.add(waiter);
        }
    }

    private static final class Waiting {
        final Acquirer acquirer;
        ScheduledFuture<?> timeout;

        Waiting(Acquirer acquirer) {
            this.acquirer = acquirer;
        }
    }
}
