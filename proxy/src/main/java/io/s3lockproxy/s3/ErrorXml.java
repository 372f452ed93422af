package io.s3lockproxy.s3;

import java.util.Map;

/** Renders S3 error documents exactly as S3 does. */
public final class ErrorXml {
    private ErrorXml() {
    }

    /** Returns the XML body for {@code error} about {@code resource}, tagged with {@code requestId}. */
    public static String render(S3Exception error, String resource, String requestId) {
        StringBuilder xml = new StringBuilder(256)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>")
                .append("<Code>").append(escape(error.code().code())).append("</Code>")
                .append("<Message>").append(escape(error.getMessage())).append("</Message>");
        for (Map.Entry<String, String> e : error.extra().entrySet()) {
            xml.append('<').append(e.getKey()).append('>')
                    .append(escape(e.getValue()))
                    .append("</").append(e.getKey()).append('>');
        }
        return xml.append("<Resource>").append(escape(resource)).append("</Resource>")
                .append("<RequestId>").append(escape(requestId)).append("</RequestId>")
                .append("</Error>").toString();
    }

    /**
     * Escapes the five XML special characters and replaces characters XML 1.0 cannot carry at all
     * (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) with U+FFFD: object keys may hold
     * them, and one of them in {@code <Resource>} would make the whole error document unparseable.
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                case '\t', '\n', '\r' -> null;
                default -> c < 0x20 || c == '\uFFFE' || c == '\uFFFF' ? "\uFFFD" : null;
            };
            if (rep != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
