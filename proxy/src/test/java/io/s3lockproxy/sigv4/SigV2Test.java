package io.s3lockproxy.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SigV2} against the worked examples of the AWS "Signing and authenticating REST requests
 * (AWS signature version 2)" page (RESTAuthentication). The page now names the bucket
 * {@code awsexamplebucket1}, but its signatures were computed when it was {@code johnsmith} (and
 * the upload's host {@code static.johnsmith.net}): with those names every published signature
 * matches, with the renamed ones none does. The vectors therefore use the original names.
 */
class SigV2Test {
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @Test
    void objectGet() {
        String sts = SigV2.stringToSign("GET", null, null, "Tue, 27 Mar 2007 19:36:42 +0000", "",
                SigV2.canonicalResource("johnsmith", "/photos/puppy.jpg", List.of()));
        assertThat(sts).isEqualTo("GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg");
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
    }

    @Test
    void objectPut() {
        String sts = SigV2.stringToSign("PUT", null, "image/jpeg", "Tue, 27 Mar 2007 21:15:45 +0000", "",
                SigV2.canonicalResource("johnsmith", "/photos/puppy.jpg", List.of()));
        assertThat(sts).isEqualTo("PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg");
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("MyyxeRY7whkBe+bq8fHCL/2kKUg=");
    }

    @Test
    void listLeavesOrdinaryQueryParametersOut() {
        String resource = SigV2.canonicalResource("johnsmith", "/",
                List.of(Map.entry("prefix", "photos"), Map.entry("max-keys", "50"), Map.entry("marker", "puppy")));
        assertThat(resource).isEqualTo("/johnsmith/");
        String sts = SigV2.stringToSign("GET", null, null, "Tue, 27 Mar 2007 19:42:41 +0000", "", resource);
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("htDYFYduRNen8P9ZfE/s9SuKy0U=");
    }

    @Test
    void fetchSignsTheSubResource() {
        String resource = SigV2.canonicalResource("johnsmith", "/", List.of(Map.entry("acl", "")));
        assertThat(resource).isEqualTo("/johnsmith/?acl");
        String sts = SigV2.stringToSign("GET", null, null, "Tue, 27 Mar 2007 19:44:46 +0000", "", resource);
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("c2WLPFtWHVgbEmeEG93a4cG37dM=");
    }

    @Test
    void deleteAsTheExampleSignsIt() {
        // The example's StringToSign: the x-amz-date value in the Date position, no x-amz-date line.
        String sts = SigV2.stringToSign("DELETE", null, null, "Tue, 27 Mar 2007 21:20:26 +0000", "",
                SigV2.canonicalResource(null, "/johnsmith/photos/puppy.jpg", List.of()));
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("lx3byBScXR6KzyMaifNkardMwNk=");
    }

    @Test
    void uploadCanonicalizesAmzHeaders() {
        List<Map.Entry<String, String>> headers = List.of(
                Map.entry("User-Agent", "curl/7.15.5"),
                Map.entry("Host", "static.johnsmith.net:8080"),
                Map.entry("Date", "Tue, 27 Mar 2007 21:06:08 +0000"),
                Map.entry("x-amz-acl", "public-read"),
                Map.entry("content-type", "application/x-download"),
                Map.entry("Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="),
                Map.entry("X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"),
                Map.entry("X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"),
                Map.entry("X-Amz-Meta-FileChecksum", "0x02661779"),
                Map.entry("X-Amz-Meta-ChecksumAlgorithm", "crc32"),
                Map.entry("Content-Disposition", "attachment; filename=database.dat"),
                Map.entry("Content-Encoding", "gzip"),
                Map.entry("Content-Length", "5913339"));
        String amz = SigV2.canonicalAmzHeaders(headers);
        assertThat(amz).isEqualTo("x-amz-acl:public-read\n"
                + "x-amz-meta-checksumalgorithm:crc32\n"
                + "x-amz-meta-filechecksum:0x02661779\n"
                + "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n");
        String sts = SigV2.stringToSign("PUT", "4gJE4saaMU4BqNR0kLY+lw==", "application/x-download",
                "Tue, 27 Mar 2007 21:06:08 +0000", amz,
                SigV2.canonicalResource("static.johnsmith.net", "/db-backup.dat.gz", List.of()));
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("ilyl83RwaSoYIEdixDQcA4OnAnc=");
    }

    @Test
    void listAllMyBuckets() {
        String sts = SigV2.stringToSign("GET", null, null, "Wed, 28 Mar 2007 01:29:59 +0000", "",
                SigV2.canonicalResource(null, "/", List.of()));
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("qGdzdERIC03wnaRNKh6OqZehG9s=");
    }

    @Test
    void unicodeKeysSignTheirEscapesLiterally() {
        String resource = SigV2.canonicalResource(null, "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", List.of());
        String sts = SigV2.stringToSign("GET", null, null, "Wed, 28 Mar 2007 01:49:49 +0000", "", resource);
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("DNEZGsoieTZ92F3bUfSPQcbGmlM=");
    }

    @Test
    void queryStringAuthenticationSignsExpires() {
        String sts = SigV2.stringToSign("GET", null, null, "1175139620", "",
                SigV2.canonicalResource("johnsmith", "/photos/puppy.jpg", List.of(
                        Map.entry("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                        Map.entry("Signature", "NpgCjnDzrM+WFzoENXmpNDUsSn8="),
                        Map.entry("Expires", "1175139620"))));
        assertThat(sts).isEqualTo("GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg");
        assertThat(SigV2.sign(SECRET, sts)).isEqualTo("NpgCjnDzrM+WFzoENXmpNDUsSn8=");
    }

    @Test
    void subResourcesAreSortedWithDecodedValuesAndBareNames() {
        List<Map.Entry<String, String>> query = List.of(
                Map.entry("versionId", "3/L4kqtJl40Nr8X8gdRQBpUMLUo"),
                Map.entry("prefix", "ignored"),
                Map.entry("response-content-disposition", "attachment; filename=\"a b.txt\""),
                Map.entry("acl", ""),
                Map.entry("uploads", ""),
                Map.entry("x-id", "GetObject"));
        assertThat(SigV2.canonicalResource(null, "/b/k%20ey", query)).isEqualTo(
                "/b/k%20ey?acl&response-content-disposition=attachment; filename=\"a b.txt\"&uploads"
                        + "&versionId=3/L4kqtJl40Nr8X8gdRQBpUMLUo");
        // Names are case-sensitive: "ACL" is an ordinary parameter.
        assertThat(SigV2.canonicalResource(null, "/b", List.of(Map.entry("ACL", "")))).isEqualTo("/b");
    }

    @Test
    void amzHeadersUnfoldAndTrimAndIgnoreOtherHeaders() {
        assertThat(SigV2.canonicalAmzHeaders(List.of(
                Map.entry("X-AMZ-Meta-A", "  one \r\n   two  "),
                Map.entry("x-amzfoo", "not amz"),
                Map.entry("Content-Type", "text/plain"),
                Map.entry("x-amz-meta-a", "three"))))
                .isEqualTo("x-amz-meta-a:one two,three\n");
        assertThat(SigV2.canonicalAmzHeaders(List.of())).isEmpty();
    }
}
