package io.quarkiverse.ssechannels;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;

/**
 * Qualifies an injected {@link Channel} with its name: {@code @Inject @ChannelName("weather") Channel weather;}.
 * <p>
 * The extension finds these injection points at build time and registers one singleton bean per name; every
 * injection point and {@link SseChannels#channel(String)} with the same name share one channel, configured under
 * {@code quarkus.sse-channels.channels."<name>".*}. A named channel lives as long as the application: an empty timeout
 * configured for it only drops its history, and once {@link Channel#close() closed} it stays closed, like any
 * channel.
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({ METHOD, FIELD, PARAMETER, TYPE })
public @interface ChannelName {

    /**
     * @return the channel name; not blank
     */
    String value();

    /**
     * Supports inline instantiation, e.g. {@code Arc.container().select(Channel.class, ChannelName.Literal.of("x"))}.
     */
    final class Literal extends AnnotationLiteral<ChannelName> implements ChannelName {

        private static final long serialVersionUID = 1L;
        private final String value;

        private Literal(String value) {
            this.value = value;
        }

        /**
         * @param value the channel name
         * @return the literal
         */
        public static Literal of(String value) {
            return new Literal(value);
        }

        @Override
        public String value() {
            return value;
        }
    }
}
