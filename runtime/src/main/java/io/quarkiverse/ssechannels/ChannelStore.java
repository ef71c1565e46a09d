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
 * Names a store of {@link TemporaryChannels}: {@code @Inject @ChannelStore("users") TemporaryChannels<String> users;}.
 * <p>
 * Every injection point with the same name shares one store, configured under
 * {@code quarkus.sse-channels.stores."<name>".*}; two stores never share keys, even with the same key type. All the
 * injection points of one name must use the same key type.
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({ METHOD, FIELD, PARAMETER, TYPE })
public @interface ChannelStore {

    /**
     * @return the store name; not blank
     */
    String value();

    /**
     * Supports inline instantiation, e.g.
     * {@code Arc.container().select(TemporaryChannels.class, ChannelStore.Literal.of("users"))}.
     */
    final class Literal extends AnnotationLiteral<ChannelStore> implements ChannelStore {

        private static final long serialVersionUID = 1L;
        private final String value;

        private Literal(String value) {
            this.value = value;
        }

        /**
         * @param value the store name
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
