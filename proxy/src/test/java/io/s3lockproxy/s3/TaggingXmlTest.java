package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaggingXmlTest {
    @Test
    void aTagSetBecomesTheTaggingHeader() {
        assertThat(TaggingXml.toHeader("<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag>"
                + "<Tag><Key>a b&amp;</Key><Value>x=y/é</Value></Tag><Tag><Key>e</Key></Tag></TagSet></Tagging>"))
                .isEqualTo("0=0&a%20b%26=x%3Dy%2F%C3%A9&e=");
        assertThat(TaggingXml.toHeader("<Tagging><TagSet/></Tagging>")).isEmpty();
    }

    @Test
    void anythingElseIsMalformedXml() {
        for (String bad : new String[] {"", "not xml", "<Other/>", "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Tagging><TagSet><Tag><Key>&e;</Key></Tag></TagSet></Tagging>"}) {
            assertThatThrownBy(() -> TaggingXml.toHeader(bad)).as(bad).isInstanceOf(S3Exception.class)
                    .extracting(e -> ((S3Exception) e).code()).isEqualTo(S3ErrorCode.MALFORMED_XML);
        }
    }
}
