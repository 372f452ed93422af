package io.s3lockproxy.auth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A strict RFC 8259 JSON parser for small documents such as POST policies.
 *
 * <p>Values come back as {@code Map<String, Object>} (a {@link LinkedHashMap}, in document order),
 * {@code List<Object>}, {@link String}, {@link BigDecimal}, {@link Boolean}, or Java {@code null}
 * for JSON {@code null}; {@link Map#containsKey} tells a null member from a missing one.
 *
 * <p>Anything RFC 8259 does not allow is refused with an {@link IllegalArgumentException}: trailing
 * characters, comments, trailing commas, leading zeros, a leading {@code +}, control characters in
 * strings. Beyond the RFC it also refuses a member name that appears twice in one object (a reader
 * that kept the first and one that kept the last would see different policies) and a surrogate
 * without its partner, and containers nested more than {@value #MAX_DEPTH} deep, so that hostile
 * input cannot exhaust the stack.
 */
final class JsonReader {
    /** The deepest nesting of arrays and objects accepted; the top-level container counts as 1. */
    static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /** Returns the value {@code text} holds; throws {@link IllegalArgumentException} when it is not exactly one JSON value. */
    static Object parse(String text) {
        JsonReader reader = new JsonReader(Objects.requireNonNull(text, "text"));
        reader.skipWhitespace();
        Object value = reader.value(0);
        reader.skipWhitespace();
        if (reader.pos != text.length()) {
            throw reader.error("unexpected characters after the value");
        }
        return value;
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield number();
                }
                throw error("unexpected character");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++;
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (consume('}')) {
            return members;
        }
        do {
            skipWhitespace();
            int nameAt = pos;
            if (!peek('"')) {
                throw error("expected a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = value(depth);
            if (members.containsKey(name)) {
                throw new IllegalArgumentException("duplicate member name at offset " + nameAt);
            }
            members.put(name, value);
            skipWhitespace();
        } while (consume(','));
        expect('}');
        return members;
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++;
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (consume(']')) {
            return elements;
        }
        do {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
        } while (consume(','));
        expect(']');
        return elements;
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
    }

    private String string() {
        int start = pos;
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unterminated string at offset " + start);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in string");
            }
            out.append(c == '\\' ? escape() : c);
        }
        checkSurrogatesPaired(out, start);
        return out.toString();
    }

    private char escape() {
        if (pos >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(pos++);
        return switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> hexChar();
            default -> {
                pos--;
                throw error("invalid escape");
            }
        };
    }

    private char hexChar() {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(pos);
            int digit = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : -1;
            if (digit < 0) {
                throw error("invalid \\u escape");
            }
            value = value * 16 + digit;
            pos++;
        }
        return (char) value;
    }

    private static void checkSurrogatesPaired(CharSequence s, int stringAt) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate in string at offset " + stringAt);
            }
        }
    }

    private BigDecimal number() {
        int start = pos;
        consume('-');
        if (consume('0')) {
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                throw error("leading zero in number");
            }
        } else {
            digits();
        }
        if (consume('.')) {
            digits();
        }
        if (consume('e') || consume('E')) {
            if (!consume('+')) {
                consume('-');
            }
            digits();
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            // BigDecimal keeps its exponent in an int; a larger one is no number worth having.
            throw new IllegalArgumentException("number out of range at offset " + start);
        }
    }

    private void digits() {
        if (pos >= text.length() || !isDigit(text.charAt(pos))) {
            throw error("expected a digit");
        }
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character");
        }
        pos += word.length();
        return value;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private boolean consume(char c) {
        if (peek(c)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw error(pos >= text.length() ? "unexpected end of input" : "expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + pos);
    }
}
