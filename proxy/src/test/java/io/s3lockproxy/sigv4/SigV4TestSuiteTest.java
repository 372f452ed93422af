package io.s3lockproxy.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives {@link CanonicalRequest}, {@link StringToSign} and {@link SigningKey} with every case of
 * the AWS SigV4 test suite (test resources {@code sigv4-test-suite/}, Apache-2.0, see its LICENSE),
 * in header-signed and query-signed form.
 *
 * <p>The suite's cases normalize the path unless they say otherwise; S3 never does. The cases in
 * {@link #SKIPPED} expect a normalized path that an S3 verifier must not produce; they are not
 * silently dropped: {@link #skippedCasesReallyNeedNormalization} checks that S3's canonical URI
 * differs from theirs. No case of the suite depends on double encoding (every expected path is
 * the single-encoded one), so none is skipped for that.
 */
class SigV4TestSuiteTest {
    static final Map<String, String> SKIPPED = Map.of(
            "get-relative-normalized", "expects /example/.. normalized to /; S3 signs the path as sent",
            "get-relative-relative-normalized", "expects /example1/example2/../.. normalized to /",
            "get-slash-dot-slash-normalized", "expects /./ normalized to /",
            "get-slash-normalized", "expects // normalized to /",
            "get-slash-pointless-dot-normalized", "expects /./example normalized to /example",
            "get-slashes-normalized", "expects //example// normalized to /example/");

    /**
     * Single forms of a case that do not apply to S3, with the reason. The query form of
     * post-sts-header-after adds X-Amz-Security-Token to the URL after signing; S3 always signs
     * every query parameter but X-Amz-Signature, so its canonical request must include the token.
     */
    static final Map<String, String> SKIPPED_FORMS = Map.of(
            "post-sts-header-after/query", "token added to the query after signing; S3 signs it");

    private static final Pattern SECRET = Pattern.compile("\"secret_access_key\"\\s*:\\s*\"([^\"]*)\"");

    static Path suite() {
        try {
            return Path.of(SigV4TestSuiteTest.class.getResource("/sigv4-test-suite/LICENSE").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> allCases() {
        try (Stream<Path> dirs = Files.list(suite())) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> applicable() {
        List<Arguments> out = new ArrayList<>();
        for (String c : allCases()) {
            for (String form : List.of("header", "query")) {
                if (!SKIPPED.containsKey(c) && !SKIPPED_FORMS.containsKey(c + "/" + form)) {
                    out.add(Arguments.of(c, form));
                }
            }
        }
        return out.stream();
    }

    static Stream<String> skipped() {
        return SKIPPED.keySet().stream().sorted();
    }

    static String read(String testCase, String file) {
        try {
            return Files.readString(suite().resolve(testCase).resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String secret(String testCase) {
        Matcher m = SECRET.matcher(read(testCase, "context.json"));
        assertThat(m.find()).as("secret in context.json of %s", testCase).isTrue();
        return m.group(1);
    }

    /** What the verifier computes for a request of the suite: canonical request, string to sign, signature. */
    record Computed(String canonical, String stringToSign, String signature, String provided) {
        boolean accepted() {
            return Hashes.constantTimeEquals(signature, provided);
        }
    }

    static Computed compute(SignedRequestFile r, String form, String secret) {
        boolean presigned = form.equals("query");
        String credential;
        String signedHeaders;
        String provided;
        String timestamp;
        if (presigned) {
            credential = r.queryParam("X-Amz-Credential");
            signedHeaders = r.queryParam("X-Amz-SignedHeaders");
            provided = r.queryParam("X-Amz-Signature");
            timestamp = r.queryParam("X-Amz-Date");
        } else {
            String auth = r.header("authorization");
            credential = component(auth, "Credential");
            signedHeaders = component(auth, "SignedHeaders");
            provided = component(auth, "Signature");
            timestamp = r.header("x-amz-date");
        }
        String[] cred = credential.split("/");
        String scope = String.join("/", Arrays.copyOfRange(cred, 1, 5));
        String payloadHash = Hashes.hex(Hashes.sha256().digest(r.body()));
        String canonical = CanonicalRequest.build(r.method(), r.rawPath(), r.rawQuery(), presigned, r::values,
                List.of(signedHeaders.split(";")), payloadHash);
        String sts = StringToSign.build(timestamp, scope, canonical);
        String signature = SigningKey.derive(secret, cred[1], cred[2], cred[3]).sign(sts);
        return new Computed(canonical, sts, signature, provided);
    }

    private static String component(String authorization, String name) {
        Matcher m = Pattern.compile(name + "=([^,\\s]*)").matcher(authorization);
        assertThat(m.find()).as("%s in %s", name, authorization).isTrue();
        return m.group(1);
    }

    static SignedRequestFile signedRequest(String testCase, String form) {
        return SignedRequestFile.parse(read(testCase, form + "-signed-request.txt"));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("applicable")
    void rebuildsCanonicalRequestStringToSignAndSignature(String testCase, String form) {
        Computed c = compute(signedRequest(testCase, form), form, secret(testCase));

        assertThat(c.canonical()).isEqualTo(read(testCase, form + "-canonical-request.txt"));
        assertThat(c.stringToSign()).isEqualTo(read(testCase, form + "-string-to-sign.txt"));
        assertThat(c.signature()).isEqualTo(read(testCase, form + "-signature.txt").strip());
        assertThat(c.accepted()).isTrue();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("applicable")
    void rejectsOneChangedByteInEverySignedPart(String testCase, String form) {
        SignedRequestFile r = signedRequest(testCase, form);
        String secret = secret(testCase);
        List<SignedRequestFile> mutants = Mutations.of(r, form);
        assertThat(mutants).hasSizeGreaterThanOrEqualTo(4);
        for (SignedRequestFile m : mutants) {
            assertThat(compute(m, form, secret).accepted()).as("mutant %s", m).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("skipped")
    void skippedCasesReallyNeedNormalization(String testCase) {
        assertThat(read(testCase, "context.json")).contains("\"normalize\": true");
        String expectedUri = read(testCase, "header-canonical-request.txt").split("\n", -1)[1];
        assertThat(CanonicalRequest.canonicalUri(signedRequest(testCase, "header").rawPath()))
                .isNotEqualTo(expectedUri);
    }

    @Test
    void tokenAddedAfterSigningIsPartOfS3sCanonicalQuery() {
        String testCase = "post-sts-header-after";
        Computed c = compute(signedRequest(testCase, "query"), "query", secret(testCase));
        assertThat(read(testCase, "query-canonical-request.txt")).doesNotContain("X-Amz-Security-Token");
        assertThat(c.canonical()).contains("X-Amz-Security-Token=");
        assertThat(c.accepted()).isFalse();
    }

    @Test
    void everyCaseIsRunOrSkippedWithAReason() {
        List<String> all = allCases();
        assertThat(all).hasSize(38).containsAll(SKIPPED.keySet());
        assertThat(applicable().count())
                .isEqualTo(2L * (all.size() - SKIPPED.size()) - SKIPPED_FORMS.size());
    }

    /** One-byte changes to each signed part of a request: method, path, query value, signed header, signature. */
    static final class Mutations {
        static List<SignedRequestFile> of(SignedRequestFile r, String form) {
            List<SignedRequestFile> out = new ArrayList<>();
            out.add(r.withMethod(flipLast(r.method())));
            out.add(r.withPath(mutatePath(r.rawPath())));
            if (!r.rawQuery().isEmpty()) {
                for (String part : r.rawQuery().split("&")) {
                    if (part.startsWith("X-Amz-Signature=")) {
                        continue;
                    }
                    out.add(r.withQuery(r.rawQuery().replace(part, part.contains("=") ? flipLast(part) : part + "x")));
                    // one changed query value is enough for each case
                    break;
                }
            }
            String signedHeaders = form.equals("query") ? r.queryParam("X-Amz-SignedHeaders")
                    : r.header("authorization").replaceAll(".*SignedHeaders=([^,\\s]*).*", "$1");
            for (String name : signedHeaders.split(";")) {
                out.add(r.withHeaders(mutateHeader(r.headers(), name)));
            }
            if (form.equals("query")) {
                String sig = r.queryParam("X-Amz-Signature");
                out.add(r.withQuery(r.rawQuery().replace(sig, flipHex(sig))));
            } else {
                String auth = r.header("authorization");
                String sig = auth.substring(auth.indexOf("Signature=") + 10);
                out.add(r.withHeaders(replaceHeader(r.headers(), "authorization",
                        auth.replace("Signature=" + sig, "Signature=" + flipHex(sig)))));
            }
            return out;
        }

        private static String mutatePath(String path) {
            for (int i = path.length() - 1; i >= 0; i--) {
                char c = path.charAt(i);
                if (c != '/' && c < 0x80 && c != '%' && c != '.') {
                    return path.substring(0, i) + (char) (c == 'a' ? 'b' : 'a') + path.substring(i + 1);
                }
            }
            return path + "a";
        }

        private static List<Map.Entry<String, String>> mutateHeader(List<Map.Entry<String, String>> hs, String name) {
            List<Map.Entry<String, String>> out = new ArrayList<>(hs);
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).getKey().toLowerCase(Locale.ROOT).equals(name)) {
                    out.set(i, Map.entry(out.get(i).getKey(), flipLast(out.get(i).getValue())));
                    return out;
                }
            }
            throw new AssertionError("signed header " + name + " missing");
        }

        private static List<Map.Entry<String, String>> replaceHeader(List<Map.Entry<String, String>> hs, String name,
                String value) {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Map.Entry<String, String> h : hs) {
                out.add(h.getKey().equalsIgnoreCase(name) ? Map.entry(h.getKey(), value) : h);
            }
            return out;
        }

        private static String flipLast(String s) {
            char c = s.charAt(s.length() - 1);
            return s.substring(0, s.length() - 1) + (char) (c == 'A' ? 'B' : c == 'a' ? 'b' : c == '1' ? '2' : 'A');
        }

        private static String flipHex(String sig) {
            char c = sig.charAt(0);
            return (c == '0' ? '1' : '0') + sig.substring(1);
        }
    }
}
