package io.s3lockproxy.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses the {@code SignedHeaders} list of a SigV4 request. */
final class SignedHeaderNames {
    private SignedHeaderNames() {
    }

    /** Returns the lower-cased names in {@code value} ({@code host;x-amz-date}), or null when one is empty or not a token. */
    static List<String> parse(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String name : value.split(";", -1)) {
            if (name.isEmpty() || !isToken(name)) {
                return null;
            }
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
