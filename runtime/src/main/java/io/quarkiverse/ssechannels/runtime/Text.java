package io.quarkiverse.ssechannels.runtime;

/**
 * Text helpers for messages that quote values coming from outside.
 */
public final class Text {

    private Text() {
    }

    /**
     * @return whether the text holds a C0 control character or DEL
     */
    public static boolean hasControlCharacter(String value) {
        return value.chars().anyMatch(c -> isControl((char) c));
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f;
    }

    /**
     * Makes control characters visible and cuts long values, so that a message quoting a value is one readable,
     * bounded line that cannot forge log entries.
     */
    public static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length() && sb.length() < 200; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\0' -> sb.append("\\0");
                default -> {
                    if (isControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (sb.length() >= 200) {
            sb.append("...");
        }
        return sb.toString();
    }
}
