package io.quarkiverse.ssechannels.runtime;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Serialises data with the application's {@link ObjectMapper}, so its customisations apply. Registered only when
 * the application has Jackson.
 */
@Singleton
public class JacksonDataSerializer implements DataSerializer {

    @Inject
    ObjectMapper mapper;

    @Override
    public String toJson(Object data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise SSE data of type [" + data.getClass().getName()
                    + "] to JSON: " + e.getOriginalMessage(), e);
        }
    }
}
