package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OriginFormTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/,                               /",
        "/a/b?c=d,                        /a/b?c=d",
        "http://api.example.com,          /",
        "http://api.example.com/,         /",
        "http://api.example.com/x?y=1,    /x?y=1",
        "http://api.example.com?q=1,      /?q=1",
        "http://api.example.com?q=/x,     /?q=/x",
        "https://api.example.com:8443/p,  /p",
        "*,                               *",
    })
    void rewritesAbsoluteFormToOriginForm(String uri, String expected) {
        assertThat(ProxyHandler.originForm(uri)).isEqualTo(expected);
    }
}
