package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The policy of a browser-form upload (S3 POST Object, SigV2 or SigV4): when it expires, and the
 * conditions the form's fields and file must meet.
 *
 * <p>{@link #parse} reads the form's {@code policy} field, base64 of a JSON document such as
 * <pre>{@code
 * { "expiration": "2026-12-01T12:00:00Z",
 *   "conditions": [ {"bucket": "photos"},
 *                   ["starts-with", "$key", "user/alice/"],
 *                   ["content-length-range", 1, 10485760] ] }
 * }</pre>
 * and refuses anything else with {@link S3ErrorCode#INVALID_POLICY_DOCUMENT}. {@link #check} then
 * holds a form against it. Only the policy is checked here, not its signature.
 *
 * <p>Thread-safe and immutable.
 */
public final class PostPolicy {
    /** The largest decoded policy document accepted. */
    static final int MAX_DOCUMENT_BYTES = 20 * 1024;

    private static final Pattern EXPIRATION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");

    /** Fields that need no condition: the signature's own fields and the file. */
    private static final Set<String> UNCONDITIONED_FIELDS =
            Set.of("policy", "signature", "awsaccesskeyid", "x-amz-signature", "file");
    private static final String IGNORED_PREFIX = "x-ignore-";
    private static final String BUCKET = "bucket";

    private final Instant expiration;
    private final List<Condition> conditions;
    private final Set<String> conditionedFields;

    private PostPolicy(Instant expiration, List<Condition> conditions) {
        this.expiration = expiration;
        this.conditions = List.copyOf(conditions);
        Set<String> named = new HashSet<>();
        for (Condition c : conditions) {
            if (c instanceof FieldCondition f) {
                named.add(f.field());
            }
        }
        this.conditionedFields = Set.copyOf(named);
    }

    /**
     * Returns the policy in the form field {@code policy} as sent (base64 of UTF-8 JSON, surrounding
     * whitespace allowed); throws {@link S3ErrorCode#INVALID_POLICY_DOCUMENT} when it is not a valid
     * policy document.
     */
    public static PostPolicy parse(String base64Policy) {
        Map<?, ?> document = document(Objects.requireNonNull(base64Policy, "base64Policy"));
        if (!document.containsKey("expiration")) {
            throw invalid("Invalid Policy: Policy missing expiration.");
        }
        Instant expiration = expiration(document.get("expiration"));
        if (!(document.get("conditions") instanceof List<?> list)) {
            throw invalid("Invalid Policy: Policy missing conditions.");
        }
        List<Condition> conditions = new ArrayList<>(list.size());
        for (Object c : list) {
            conditions.add(condition(c));
        }
        return new PostPolicy(expiration, conditions);
    }

    /** Returns the time from which the policy no longer admits uploads. */
    public Instant expiration() {
        return expiration;
    }

    /**
     * Throws {@link S3Exception} unless the form may upload under this policy at {@code now}: the
     * policy has not expired, every condition holds, and every field but the exempt ones
     * ({@code policy}, {@code signature}, {@code awsaccesskeyid}, {@code x-amz-signature},
     * {@code file}, {@code x-ignore-*}) is named by a condition, the bucket included.
     *
     * <p>A field the form lacks counts as the empty string. The bucket is always the one the
     * request addresses: a {@code bucket} form field does not stand in for it.
     *
     * @param fields     every form field the client sent before the file, names lower-cased, values as sent,
     *                   except that {@code key} already has {@code ${filename}} substituted by the caller
     * @param bucket     the bucket of the request line
     * @param fileLength the length of the uploaded file's content in bytes
     * @param now        the current time
     * @throws S3Exception {@link S3ErrorCode#ACCESS_DENIED} when expired, when a field condition fails
     *                     or a field is not named; {@link S3ErrorCode#ENTITY_TOO_SMALL} or
     *                     {@link S3ErrorCode#ENTITY_TOO_LARGE} when the file is outside
     *                     {@code content-length-range}
     */
    public void check(Map<String, String> fields, String bucket, long fileLength, Instant now) {
        Objects.requireNonNull(bucket, "bucket");
        if (!now.isBefore(expiration)) {
            throw denied("Invalid according to Policy: Policy expired.");
        }
        for (Condition c : conditions) {
            c.check(fields, bucket, fileLength);
        }
        if (!conditionedFields.contains(BUCKET)) {
            throw denied("Invalid according to Policy: Extra input fields: " + BUCKET);
        }
        for (String name : fields.keySet()) {
            String field = name.toLowerCase(Locale.ROOT);
            if (!UNCONDITIONED_FIELDS.contains(field) && !field.startsWith(IGNORED_PREFIX)
                    && !conditionedFields.contains(field)) {
                throw denied("Invalid according to Policy: Extra input fields: " + field);
            }
        }
    }

    private static Map<?, ?> document(String base64Policy) {
        String encoded = base64Policy.strip();
        // Refused before decoding; the bound admits every encoding of at most MAX_DOCUMENT_BYTES + 1 bytes.
        if (encoded.length() > (MAX_DOCUMENT_BYTES + 2) / 3 * 4) {
            throw tooLarge();
        }
        if (encoded.length() % 4 != 0) {
            throw invalidJson();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw invalidJson();
        }
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge();
        }
        try {
            String json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            if (JsonReader.parse(json) instanceof Map<?, ?> document) {
                return document;
            }
        } catch (CharacterCodingException | IllegalArgumentException e) {
            // falls through to the one answer S3 gives for every unreadable document
        }
        throw invalidJson();
    }

    private static Instant expiration(Object value) {
        if (value instanceof String s && EXPIRATION.matcher(s).matches()) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                // a well-formed but impossible date, such as February 30
            }
        }
        String shown = value instanceof String s ? s : render(value);
        throw invalid("Invalid Policy: Invalid 'expiration' value: '" + shown + "'");
    }

    private static Condition condition(Object c) {
        if (c instanceof Map<?, ?> m && m.size() == 1) {
            Map.Entry<?, ?> member = m.entrySet().iterator().next();
            String name = (String) member.getKey();
            String value = fieldValue(member.getValue());
            if (!name.isEmpty() && value != null) {
                return new FieldCondition(name.toLowerCase(Locale.ROOT), false, value, render("eq", "$" + name, value));
            }
        } else if (c instanceof List<?> l && l.size() == 3 && l.get(0) instanceof String op) {
            switch (op.toLowerCase(Locale.ROOT)) {
                case "eq", "starts-with" -> {
                    if (l.get(1) instanceof String ref && ref.length() > 1 && ref.charAt(0) == '$'
                            && l.get(2) instanceof String value) {
                        String name = ref.substring(1);
                        boolean prefix = op.equalsIgnoreCase("starts-with");
                        return new FieldCondition(name.toLowerCase(Locale.ROOT), prefix, value,
                                render(prefix ? "starts-with" : "eq", ref, value));
                    }
                }
                case "content-length-range" -> {
                    Long min = length(l.get(1));
                    Long max = length(l.get(2));
                    if (min != null && max != null && min <= max) {
                        return new LengthRange(min, max);
                    }
                }
                default -> {
                    // no other operator exists
                }
            }
        }
        throw invalid("Invalid Policy: Invalid Condition: " + render(c));
    }

    /** Returns a field condition's value: a string, or a number in plain form; null for anything else. */
    private static String fieldValue(Object value) {
        if (value instanceof String s) {
            return s;
        }
        // The scale bound keeps the plain form of 1e999999999 from taking a billion characters.
        if (value instanceof BigDecimal n && Math.abs((long) n.scale()) <= MAX_DOCUMENT_BYTES) {
            return n.toPlainString();
        }
        return null;
    }

    /** Returns a content-length-range bound: a whole number or a string of digits, 0 to Long.MAX_VALUE; else null. */
    private static Long length(Object value) {
        BigDecimal n;
        if (value instanceof BigDecimal d) {
            n = d;
        } else if (value instanceof String s && !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            n = new BigDecimal(s);
        } else {
            return null;
        }
        if (n.signum() < 0) {
            return null;
        }
        try {
            return n.longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private sealed interface Condition permits FieldCondition, LengthRange {
        void check(Map<String, String> fields, String bucket, long fileLength);
    }

    /** {@code eq} or {@code starts-with} on one field; {@code field} is lower-cased. */
    private record FieldCondition(String field, boolean prefix, String value, String shown) implements Condition {
        @Override
        public void check(Map<String, String> fields, String bucket, long fileLength) {
            String actual = field.equals(BUCKET) ? bucket : fields.getOrDefault(field, "");
            if (!(prefix ? actual.startsWith(value) : actual.equals(value))) {
                throw denied("Invalid according to Policy: Policy Condition failed: " + shown);
            }
        }
    }

    private record LengthRange(long min, long max) implements Condition {
        @Override
        public void check(Map<String, String> fields, String bucket, long fileLength) {
            if (fileLength < min) {
                throw outOfRange(S3ErrorCode.ENTITY_TOO_SMALL, fileLength, "MinSizeAllowed", min);
            }
            if (fileLength > max) {
                throw outOfRange(S3ErrorCode.ENTITY_TOO_LARGE, fileLength, "MaxSizeAllowed", max);
            }
        }

        /** S3 names the proposed size and the bound it broke, in this order, after the message. */
        private static S3Exception outOfRange(S3ErrorCode code, long fileLength, String boundName, long bound) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("ProposedSize", Long.toString(fileLength));
            extra.put(boundName, Long.toString(bound));
            return new S3Exception(code, code.defaultMessage(), extra);
        }
    }

    private static String render(String op, String ref, String value) {
        return render(List.of(op, ref, value));
    }

    /** Returns {@code value} as JSON text, for messages. */
    private static String render(Object value) {
        StringBuilder out = new StringBuilder();
        render(value, out);
        return out.toString();
    }

    private static void render(Object value, StringBuilder out) {
        if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (Iterator<?> i = list.iterator(); i.hasNext(); ) {
                render(i.next(), out);
                out.append(i.hasNext() ? ", " : "");
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            for (Iterator<? extends Map.Entry<?, ?>> i = map.entrySet().iterator(); i.hasNext(); ) {
                Map.Entry<?, ?> e = i.next();
                quote((String) e.getKey(), out);
                out.append(": ");
                render(e.getValue(), out);
                out.append(i.hasNext() ? ", " : "");
            }
            out.append('}');
        } else {
            // BigDecimal.toString, not toPlainString: 1e999999999 stays short.
            out.append(value);
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static S3Exception invalidJson() {
        return invalid("Invalid Policy: Invalid JSON.");
    }

    private static S3Exception tooLarge() {
        return invalid("Invalid Policy: Policy document too large; the limit is " + MAX_DOCUMENT_BYTES + " bytes.");
    }

    private static S3Exception invalid(String message) {
        return new S3Exception(S3ErrorCode.INVALID_POLICY_DOCUMENT, message);
    }

    private static S3Exception denied(String message) {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED, message);
    }
}
