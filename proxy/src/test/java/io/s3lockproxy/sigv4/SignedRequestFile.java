package io.s3lockproxy.sigv4;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request of the SigV4 test suite ({@code *-signed-request.txt}) parsed the way the proxy's HTTP
 * decoder sees it: the request target split into raw path and raw query, headers in received order
 * with folded continuation lines joined by one space (as Netty's decoder does).
 */
record SignedRequestFile(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
        byte[] body) {

    static SignedRequestFile parse(String text) {
        int headerEnd = text.indexOf("\n\n");
        String head = headerEnd < 0 ? text : text.substring(0, headerEnd);
        String body = headerEnd < 0 ? "" : text.substring(headerEnd + 2);
        String[] lines = head.split("\n", -1);
        String requestLine = lines[0];
        // The target may hold spaces (get-space-*), so the version is cut at the last space.
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String target = requestLine.substring(method.length() + 1, requestLine.lastIndexOf(' '));
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? "" : target.substring(q + 1);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                Map.Entry<String, String> last = headers.remove(headers.size() - 1);
                headers.add(Map.entry(last.getKey(), last.getValue() + ' ' + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
        return new SignedRequestFile(method, rawPath, rawQuery, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns every value of header {@code lowerName}, in order. */
    List<String> values(String lowerName) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().toLowerCase(Locale.ROOT).equals(lowerName)) {
                out.add(h.getValue());
            }
        }
        return out;
    }

    /** Returns the first value of header {@code lowerName}, or null. */
    String header(String lowerName) {
        List<String> v = values(lowerName);
        return v.isEmpty() ? null : v.get(0);
    }

    /** Returns the decoded value of query parameter {@code name}, or null. */
    String queryParam(String name) {
        for (String part : rawQuery.split("&")) {
            int eq = part.indexOf('=');
            String n = UriEncoding.decode(eq < 0 ? part : part.substring(0, eq));
            if (name.equals(n)) {
                return eq < 0 ? "" : UriEncoding.decode(part.substring(eq + 1));
            }
        }
        return null;
    }

    SignedRequestFile withMethod(String m) {
        return new SignedRequestFile(m, rawPath, rawQuery, headers, body);
    }

    SignedRequestFile withPath(String p) {
        return new SignedRequestFile(method, p, rawQuery, headers, body);
    }

    SignedRequestFile withQuery(String qs) {
        return new SignedRequestFile(method, rawPath, qs, headers, body);
    }

    SignedRequestFile withHeaders(List<Map.Entry<String, String>> hs) {
        return new SignedRequestFile(method, rawPath, rawQuery, hs, body);
    }
}
