package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkiverse.ssechannels.BackendUnavailableException;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The {@link Broker} over Redis: per channel a stream {@code <prefix>:{<channel>}:log} whose entry ids are the
 * offsets, a hash {@code <prefix>:{<channel>}:meta} with the epoch and the last offset, and a Pub/Sub subject
 * {@code <prefix>:{<channel>}:live}; per store of temporary channels a sorted set {@code <prefix>:{<store>}:keys} of
 * keys scored by when their presence ends. Commands go through the application's client pool; subscriptions share
 * one dedicated connection, which is opened again, and its subjects subscribed again, whenever it is lost.
 * <p>
 * Only created with {@code quarkus.sse-channels.backend=redis}: the class is a bean only when the application has
 * {@code quarkus-redis-client}, and nothing else of the extension refers to Redis types.
 */
@Singleton
public class RedisBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class);

    /**
     * KEYS: meta, log. ARGV: epoch if none, history size, keep (ms, 0 for ever), id field, body, subject. The stamp
     * is the server's clock in microseconds, so that every instance orders events of different channels alike.
     */
    static final String PUBLISH = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              epoch = ARGV[1]
              redis.call('HSET', KEYS[1], 'epoch', epoch)
            end
            local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
            local t = redis.call('TIME')
            local stamp = t[1] .. string.rep('0', 6 - #t[2]) .. t[2]
            local message = 'E' .. epoch .. '\\n' .. offset .. '\\n' .. stamp .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[5]
            local size = tonumber(ARGV[2])
            if size > 0 then
              redis.call('XADD', KEYS[2], 'MAXLEN', size, offset .. '-0', 'm', message)
            end
            if ARGV[3] ~= '0' then
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
            end
            redis.call('PUBLISH', ARGV[6], message)
            return {epoch, offset}
            """;

    /**
     * KEYS: meta, log. ARGV: after, max, the epoch of after, epoch if none, keep (ms, 0 for ever). Answers the
     * epoch, the last offset and the entries after (all if the epoch is another), the newest max. A log without an
     * epoch gets one, so that a position can be written before anything is published.
     */
    static final String READ = """
            local meta = redis.call('HMGET', KEYS[1], 'epoch', 'offset')
            local epoch = meta[1]
            local last = tonumber(meta[2] or '0')
            if not epoch then
              epoch = ARGV[4]
              redis.call('HSET', KEYS[1], 'epoch', epoch)
            end
            if ARGV[5] ~= '0' then
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
            end
            local after = tonumber(ARGV[1])
            if epoch ~= ARGV[3] then
              after = 0
            end
            local from = math.max(after + 1, last - tonumber(ARGV[2]) + 1)
            local answer = {epoch, last}
            if tonumber(ARGV[2]) > 0 and from <= last then
              for _, entry in ipairs(redis.call('XRANGE', KEYS[2], from .. '-0', '+')) do
                answer[#answer + 1] = entry[2][2]
              end
            end
            return answer
            """;

    /** KEYS: meta, log. ARGV: the epoch the log must still be in, the new epoch. Offsets go on. */
    static final String ROTATE = """
            if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
              redis.call('HSET', KEYS[1], 'epoch', ARGV[2])
              redis.call('DEL', KEYS[2])
            end
            return 1
            """;

    /**
     * KEYS: the store's set, then meta and log of each channel. ARGV: for each key its member, time to live (ms) and
     * keep (ms, 0 for ever).
     */
    static final String PRESENT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            for i = 1, #ARGV, 3 do
              redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[i + 1]), ARGV[i])
              local k = (i - 1) / 3 * 2 + 2
              if ARGV[i + 2] ~= '0' then
                redis.call('PEXPIRE', KEYS[k], ARGV[i + 2])
                redis.call('PEXPIRE', KEYS[k + 1], ARGV[i + 2])
              end
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
            return now
            """;

    /** KEYS: the store's set. ARGV: a member, or none for all. Answers the members present now. */
    static final String PRESENT_KEYS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            if ARGV[1] then
              local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
              if score and tonumber(score) > now then
                return {ARGV[1]}
              end
              return {}
            end
            return redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE')
            """;

    private static final long CLOCK_MARGIN_MICROS = 1_000_000;
    private static final Duration RECONNECT_MIN = Duration.ofMillis(100);
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(2);
    /** The pause before a command that the client's pool refused is sent again. */
    private static final long POOL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Vertx vertx;
    private final Redis redis;
    private final String prefix;
    private final Duration timeout;
    private final String clientDescription;
    /** The broker's clock minus this instance's, in microseconds, measured once a connection works. */
    private volatile long clockSkew;

    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> confirmations = new ConcurrentHashMap<>();
    /**
     * Held while the subjects change and their command is sent, so that commands reach Redis in the order the
     * subjects changed (the subscriber's monitor is taken inside it, never around it).
     */
    private final Object subscriptions = new Object();
    // guarded by this
    private CompletableFuture<RedisConnection> subscriber;
    private long reconnectDelay = RECONNECT_MIN.toMillis();
    private boolean stopped;

    @Inject
    public RedisBroker(SseChannelsRuntimeConfig config, Vertx vertx, @Any Instance<Redis> clients) {
        this.vertx = vertx;
        this.prefix = config.redis().keyPrefix();
        this.timeout = config.redis().timeout();
        String name = config.redis().clientName().orElse(null);
        Instance<Redis> client = name == null ? clients.select(Default.Literal.INSTANCE)
                : clients.select(RedisClientName.Literal.of(name));
        this.clientDescription = name == null ? "the default Redis client (quarkus.redis.hosts)"
                : "the Redis client [" + name + "] (quarkus.redis.\"" + name + "\".hosts)";
        if (!client.isResolvable()) {
            throw new ConfigurationException("quarkus.sse-channels.backend=redis needs " + clientDescription
                    + ", which this application does not have: configure it in application.properties, where "
                    + "Quarkus decides at build time which Redis clients exist");
        }
        this.redis = client.get();
        measureClock();
    }

    private String key(String channel, String suffix) {
        return prefix + ":{" + channel + "}:" + suffix;
    }

    @Override
    public Published publish(String channel, String epoch, int historySize, Duration keep, String idField,
            Buffer body) {
        Response answer = await(() -> eval(PUBLISH, List.of(key(channel, "meta"), key(channel, "log")),
                epoch, historySize, millis(keep), idField, body,
                key(channel, "live")), "publishing to SSE channel [" + channel + "]");
        return new Published(answer.get(0).toString(), answer.get(1).toLong());
    }

    @Override
    public void publishTransient(String channel, Buffer body) {
        await(() -> redis.send(Request.cmd(Command.PUBLISH).arg(key(channel, "live"))
                .arg(Buffer.buffer(body.length() + 1).appendByte((byte) 'T').appendBuffer(body))),
                "publishing to SSE channel [" + channel + "]");
    }

    @Override
    public History read(String channel, String epoch, long after, int max, Duration keep) {
        Response answer = await(() -> eval(READ, List.of(key(channel, "meta"), key(channel, "log")), after, max,
                epoch == null ? "" : epoch, Cursor.newEpoch(), millis(keep)),
                "reading the history of SSE channel [" + channel + "]");
        List<Buffer> entries = new ArrayList<>(answer.size() - 2);
        for (int i = 2; i < answer.size(); i++) {
            entries.add(answer.get(i).toBuffer());
        }
        return new History(answer.get(0).toString(), answer.get(1).toLong(), entries);
    }

    @Override
    public void rotate(String channel, String epoch, String newEpoch) {
        await(() -> eval(ROTATE, List.of(key(channel, "meta"), key(channel, "log")), epoch, newEpoch),
                "starting a new epoch of SSE channel [" + channel + "]");
    }

    @Override
    public void subscribe(String channel, Listener listener) {
        await(Future.fromCompletionStage(confirmed(channel, listener)), "subscribing to SSE channel [" + channel + "]");
    }

    private CompletableFuture<Void> confirmed(String channel, Listener listener) {
        String subject = key(channel, "live");
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        synchronized (subscriptions) {
            listeners.put(subject, listener);
            confirmations.put(subject, confirmed);
        }
        subscriber().whenComplete((connection, failure) -> {
            if (failure != null) {
                confirmations.remove(subject, confirmed);
                confirmed.completeExceptionally(failure);
                return;
            }
            synchronized (subscriptions) {
                // not if the subscriber gave up waiting meanwhile
                if (listeners.get(subject) == listener) {
                    connection.send(Request.cmd(Command.SUBSCRIBE).arg(subject)).onFailure(e -> {
                        confirmations.remove(subject, confirmed);
                        confirmed.completeExceptionally(e);
                    });
                }
            }
        });
        return confirmed;
    }

    @Override
    public void unsubscribe(String channel, Listener listener) {
        String subject = key(channel, "live");
        // one step, and the command sent within it: a channel that replaces a closed one of the same name puts its
        // listener and sends its SUBSCRIBE after this UNSUBSCRIBE, never between the removal and the command
        synchronized (subscriptions) {
            // only its own subscription: a channel that replaced a closed one may have taken it over already
            if (!listeners.remove(subject, listener)) {
                return;
            }
            confirmations.remove(subject);
            CompletableFuture<RedisConnection> current;
            synchronized (this) {
                current = subscriber;
            }
            if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
                // a lost connection takes its subscriptions with it, and a new one subscribes only to listeners
                current.join().send(Request.cmd(Command.UNSUBSCRIBE).arg(subject));
            }
        }
    }

    /**
     * The broker's clock as this instance reckons it, a second early: the skew is measured to within half a round
     * trip, and a client without a last event id had better get an event published just before it connected than
     * miss one published just after.
     */
    @Override
    public long clock() {
        return System.currentTimeMillis() * 1000 + clockSkew - CLOCK_MARGIN_MICROS;
    }

    @Override
    public void ping() {
        await(() -> redis.send(Request.cmd(Command.PING)), "asking " + clientDescription + " for a PING");
    }

    @Override
    public void present(String store, Collection<Presence> keys) {
        if (keys.isEmpty()) {
            return;
        }
        List<String> redisKeys = new ArrayList<>(1 + 2 * keys.size());
        List<Object> args = new ArrayList<>(3 * keys.size());
        redisKeys.add(key(store, "keys"));
        for (Presence presence : keys) {
            redisKeys.add(key(presence.channel(), "meta"));
            redisKeys.add(key(presence.channel(), "log"));
            args.add(presence.key());
            args.add(Math.max(1, presence.ttl().toMillis()));
            args.add(millis(presence.keep()));
        }
        await(() -> eval(PRESENT, redisKeys, args.toArray()), "marking temporary SSE channels present");
    }

    @Override
    public void absent(String store, String key) {
        await(() -> redis.send(Request.cmd(Command.ZREM).arg(key(store, "keys")).arg(key)),
                "removing temporary SSE channel [" + key + "]");
    }

    @Override
    public Set<String> presentKeys(String store) {
        Response answer = await(() -> eval(PRESENT_KEYS, List.of(key(store, "keys"))),
                "listing the temporary SSE channels of store [" + store + "]");
        Set<String> keys = new HashSet<>(answer.size() * 2);
        for (Response key : answer) {
            keys.add(key.toString());
        }
        return keys;
    }

    @Override
    public boolean isPresent(String store, String key) {
        return await(() -> eval(PRESENT_KEYS, List.of(key(store, "keys")), key),
                "looking up temporary SSE channel [" + key + "]").size() > 0;
    }

    /** @return a time to live in milliseconds, 0 for none */
    private static long millis(Duration keep) {
        return keep == null ? 0 : Math.max(1, keep.toMillis());
    }

    private Future<Response> eval(String script, List<String> keys, Object... args) {
        Request request = Request.cmd(Command.EVAL).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            if (arg instanceof Buffer buffer) {
                request.arg(buffer);
            } else {
                request.arg(String.valueOf(arg));
            }
        }
        return redis.send(request);
    }

    /**
     * Sends a command through the client's pool and waits for its answer, within the timeout. A pool with no free
     * connection and no room left in its queue of waiters refuses a command at once, before sending it: it is sent
     * again a millisecond later then, until the timeout, so that a burst (the first joins of many new channels,
     * each reading its log) waits its turn instead of failing.
     */
    private <T> T await(Supplier<Future<T>> command, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            try {
                return await(command.get(), deadline, what);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ConnectionPoolTooBusyException)
                        || System.nanoTime() + POOL_PAUSE_NANOS > deadline) {
                    throw failed(what, e);
                }
                LockSupport.parkNanos(POOL_PAUSE_NANOS);
                if (Thread.interrupted()) {
                    throw interrupted(what, null);
                }
            } catch (TimeoutException e) {
                throw timedOut(what, e);
            }
        }
    }

    /** Waits for an answer that is not a pooled command's (a subscription's confirmation), within the timeout. */
    private <T> T await(Future<T> answer, String what) {
        try {
            return await(answer, System.nanoTime() + timeout.toNanos(), what);
        } catch (ExecutionException e) {
            throw failed(what, e);
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        }
    }

    private static <T> T await(Future<T> answer, long deadline, String what)
            throws ExecutionException, TimeoutException {
        try {
            return answer.toCompletionStage().toCompletableFuture().get(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw interrupted(what, e);
        }
    }

    /** Keeps the thread's interrupt for its caller. */
    private static BackendUnavailableException interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new BackendUnavailableException(what + " was interrupted", e);
    }

    private static BackendUnavailableException failed(String what, ExecutionException e) {
        return new BackendUnavailableException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    }

    private BackendUnavailableException timedOut(String what, TimeoutException e) {
        return new BackendUnavailableException(what + ": " + clientDescription + " did not answer within "
                + timeout + " (quarkus.sse-channels.redis.timeout)", e);
    }

    /** @return the subscriber connection, connecting it if there is none */
    private CompletableFuture<RedisConnection> subscriber() {
        CompletableFuture<RedisConnection> connecting;
        synchronized (this) {
            if (subscriber != null && !subscriber.isCompletedExceptionally()) {
                return subscriber;
            }
            connecting = new CompletableFuture<>();
            subscriber = connecting;
        }
        // outside the monitor: what the connection's outcome runs takes other locks
        redis.connect().onComplete(result -> {
            if (result.failed()) {
                LOG.debugf("The SSE channels' Redis subscriber could not connect: %s", result.cause().toString());
                connecting.completeExceptionally(result.cause());
                lost(connecting);
            } else {
                connected(connecting, result.result());
            }
        });
        return connecting;
    }

    private void connected(CompletableFuture<RedisConnection> connecting, RedisConnection connection) {
        synchronized (this) {
            if (stopped) {
                // the application stopped while it connected: nothing will close it later
                connecting.completeExceptionally(new BackendUnavailableException("the application stops", null));
                connection.close();
                return;
            }
        }
        connection.handler(this::received);
        connection.exceptionHandler(e -> {
            LOG.debugf("The SSE channels' Redis subscriber failed: %s", e.toString());
            lost(connecting);
        });
        connection.endHandler(v -> {
            LOG.debugf("The SSE channels' Redis subscriber was disconnected");
            lost(connecting);
        });
        synchronized (this) {
            reconnectDelay = RECONNECT_MIN.toMillis();
        }
        measureClock();
        // subjects subscribed before this connection, by a connection that was lost, or waiting for one
        synchronized (subscriptions) {
            if (!listeners.isEmpty()) {
                Request request = Request.cmd(Command.SUBSCRIBE);
                listeners.keySet().forEach(request::arg);
                connection.send(request);
            }
        }
        connecting.complete(connection);
    }

    /** A lost connection is replaced after a pause that grows while connecting fails, while anyone listens. */
    private void lost(CompletableFuture<RedisConnection> connection) {
        long delay;
        synchronized (this) {
            if (subscriber != connection || stopped) {
                return;
            }
            subscriber = null;
            if (listeners.isEmpty()) {
                return;
            }
            delay = reconnectDelay;
            reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX.toMillis());
        }
        vertx.setTimer(delay, id -> {
            if (!listeners.isEmpty()) {
                subscriber();
            }
        });
    }

    private void received(Response push) {
        if (push == null || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        String subject = push.get(1).toString();
        if ("message".equals(kind)) {
            Listener listener = listeners.get(subject);
            if (listener != null) {
                listener.message(push.get(2).toBuffer());
            }
        } else if ("subscribe".equals(kind)) {
            CompletableFuture<Void> confirmed = confirmations.remove(subject);
            if (confirmed != null) {
                confirmed.complete(null);
            } else {
                Listener listener = listeners.get(subject);
                if (listener != null) {
                    listener.resubscribed();
                }
            }
        }
    }

    /** The offset between the clocks, to within half a round trip. */
    private void measureClock() {
        long sent = System.nanoTime();
        long local = System.currentTimeMillis() * 1000;
        redis.send(Request.cmd(Command.TIME)).onSuccess(time -> {
            long roundTrip = (System.nanoTime() - sent) / 1000;
            long remote = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
            clockSkew = remote - (local + roundTrip / 2);
        });
    }

    @PreDestroy
    void stop() {
        CompletableFuture<RedisConnection> current;
        synchronized (this) {
            stopped = true;
            current = subscriber;
            subscriber = null;
        }
        listeners.clear();
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            RedisConnection connection = current.join();
            // out of subscriber mode before the connection goes back to the pool
            connection.send(Request.cmd(Command.UNSUBSCRIBE)).onComplete(done -> connection.close());
        }
    }
}
