package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

    @Test
    void readsEveryKindOfValue() {
        Object v = JsonReader.parse("{\"s\":\"x\",\"n\":-0.5e+3,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,[]],\"o\":{}}");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("s")).isEqualTo("x");
        assertThat(m.get("n")).isEqualTo(new BigDecimal("-0.5e+3"));
        assertThat(m.get("t")).isEqualTo(Boolean.TRUE);
        assertThat(m.get("f")).isEqualTo(Boolean.FALSE);
        assertThat(m.containsKey("z")).isTrue();
        assertThat(m.get("z")).isNull();
        assertThat(m.get("a")).isEqualTo(List.of(new BigDecimal("1"), List.of()));
        assertThat(m.get("o")).isEqualTo(Map.of());
    }

    @Test
    void keepsMembersInDocumentOrder() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) JsonReader.parse("{\"c\":1,\"a\":2,\"b\":3}");
        assertThat(m.keySet()).containsExactly("c", "a", "b");
    }

    @Test
    void readsScalarsAtTheTopLevel() {
        assertThat(JsonReader.parse("\"x\"")).isEqualTo("x");
        assertThat(JsonReader.parse("0")).isEqualTo(BigDecimal.ZERO);
        assertThat(JsonReader.parse("-0")).isEqualTo(new BigDecimal("-0"));
        assertThat(JsonReader.parse("1E2")).isEqualTo(new BigDecimal("1E2"));
        assertThat(JsonReader.parse("12.50")).isEqualTo(new BigDecimal("12.50"));
        assertThat(JsonReader.parse("null")).isNull();
    }

    @Test
    void allowsTheFourWhitespaceCharacters() {
        assertThat(JsonReader.parse(" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \"a\" \n: \n2 } ] \n"))
                .isEqualTo(List.of(BigDecimal.ONE, Map.of("a", new BigDecimal("2"))));
    }

    @Test
    void decodesEveryEscape() {
        assertThat(JsonReader.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u00E9\""))
                .isEqualTo("\" \\ / \b \f \n \r \t A é é");
    }

    @Test
    void joinsAnEscapedSurrogatePair() {
        assertThat(JsonReader.parse("\"\\uD83D\\uDE00\"")).isEqualTo("\uD83D\uDE00");
        assertThat(JsonReader.parse("\"\\ud83d\\ude00!\"")).isEqualTo("😀!");
    }

    @Test
    void keepsRawNonAsciiCharacters() {
        assertThat(JsonReader.parse("\"é😀\"")).isEqualTo("é😀");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\uD83D\"", "\"\\uDE00\"", "\"\\uD83Dx\"", "\"\\uD83D\\u0041\"", "\"\\uDE00\\uD83D\"",
        "\"\uD83D\""})
    void refusesAnUnpairedSurrogate(String json) {
        assertThatThrownBy(() -> JsonReader.parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "[", "}", "]", "{\"a\"", "{\"a\":", "{\"a\":1", "[1", "{\"a\" 1}", "{a:1}", "{'a':1}", "{1:1}",
        "[1 2]", "{\"a\":1 \"b\":2}", "[,1]", "[1,,2]",
        "[1,]", "{\"a\":1,}",
        "01", "-01", "00", "+1", "-", "1.", ".5", "1.e3", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", "-Infinity",
        "1 2", "[1] x", "{} {}", "nulll", "truex",
        "\"abc", "\"abc\\", "\"a\u0001b\"", "\"a\nb\"", "\"a\tb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\U0041\"",
        "'a'", "tru", "nul", "True", "NULL",
        "// comment\n1", "/* comment */ 1", "1 // comment", "# comment\n1",
        "\u00a01", "\uFEFF1", "\f1", "\u000b1", "\u20281", "\u30001", "[1,\f2]",
        "1e99999999999"
    })
    void refusesWhatIsNotJson(String json) {
        assertThatThrownBy(() -> JsonReader.parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*\\S.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-01", "00", "[01]", "{\"a\":012}"})
    void refusesALeadingZero(String json) {
        assertThatThrownBy(() -> JsonReader.parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading zero");
    }

    @Test
    void refusesANumberBigDecimalCannotHold() {
        assertThatThrownBy(() -> JsonReader.parse("[1e99999999999]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void refusesADuplicateMemberName() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,\"b\":2,\"a\":3}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate");
        assertThat(JsonReader.parse("{\"a\":{\"a\":1}}")).isEqualTo(Map.of("a", Map.of("a", BigDecimal.ONE)));
    }

    @Test
    void acceptsNestingUpToTheLimit() {
        assertThat(JsonReader.parse(nestedArrays(JsonReader.MAX_DEPTH))).isInstanceOf(List.class);
        assertThat(JsonReader.parse(nestedObjects(JsonReader.MAX_DEPTH))).isInstanceOf(Map.class);
    }

    @Test
    void refusesNestingBeyondTheLimit() {
        assertThatThrownBy(() -> JsonReader.parse(nestedArrays(JsonReader.MAX_DEPTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> JsonReader.parse(nestedObjects(JsonReader.MAX_DEPTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> JsonReader.parse("[".repeat(1_000_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested");
    }

    @Test
    void readsBackRandomStringsWrittenWithRandomEscapes() {
        Random random = new Random(20261201);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                s.appendCodePoint(switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> random.nextInt(0x800);
                    case 2 -> 0x10000 + random.nextInt(0x100000);
                    default -> "\"\\/\b\f\n\r\t".charAt(random.nextInt(8));
                });
            }
            String expected = s.toString();
            assertThat(JsonReader.parse(quote(expected, random))).isEqualTo(expected);
        }
    }

    /** Quotes {@code s}, each character at random as a hex escape or, where JSON allows, as itself. */
    private static String quote(String s, Random random) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            boolean mayBeRaw = c >= 0x20 && c != '"' && c != '\\';
            if (mayBeRaw && random.nextBoolean()) {
                out.append(c);
            } else {
                out.append(String.format(random.nextBoolean() ? "\\u%04X" : "\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    private static String nestedArrays(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String nestedObjects(int depth) {
        char[] closing = new char[depth];
        Arrays.fill(closing, '}');
        return "{\"a\":".repeat(depth - 1) + "{" + new String(closing);
    }
}
