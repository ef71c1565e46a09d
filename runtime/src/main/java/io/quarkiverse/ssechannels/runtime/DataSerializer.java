package io.quarkiverse.ssechannels.runtime;

/**
 * Serialises message data that is not text. The extension registers a Jackson-backed bean when the application has
 * Jackson.
 */
public interface DataSerializer {

    /**
     * @param data the object
     * @return its JSON text
     * @throws IllegalArgumentException if it cannot be serialised
     */
    String toJson(Object data);
}
