package io.quarkiverse.ssechannels.client;

/**
 * An event received from an event stream, as a browser's {@code EventSource} would dispatch it.
 *
 * @param id the last event id when it was dispatched (its own id, or the last one the stream set before it);
 *        {@code null} if the stream set none: resuming from it is resuming from the start
 * @param name the event type: its {@code event:} field, {@code message} if it had none
 * @param data its data lines joined with LF
 */
public record SseEvent(String id, String name, String data) {
}
