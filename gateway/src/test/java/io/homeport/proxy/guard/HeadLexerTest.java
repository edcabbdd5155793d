package io.homeport.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeadLexerTest {

    private static RawHead lex(String head) {
        HeadLexer lexer = new HeadLexer();
        for (byte b : head.getBytes(StandardCharsets.ISO_8859_1)) {
            if (lexer.next(b)) {
                return lexer.result();
            }
        }
        throw new AssertionError("no end of head in " + head);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1            | false",
        "GET / HTTP/1.0            | false",
        "GET / http/1.1            | true",
        "GET / Http/1.1            | true",
        "GET / hTTP/1.1            | true",
        "GET /http/1.1 HTTP/1.1    | false",
        "GET /x HTTP/2.0           | false",
        "GET /x FOO/1.1            | false",
    })
    void seesAnHttpNameInTheWrongCase(String requestLine, boolean wrongCase) {
        assertThat(lex(requestLine + "\r\nHost: a\r\n\r\n").versionNotUpperCase()).isEqualTo(wrongCase);
        assertThat(lex("\r\n" + requestLine + "\nHost: a\n\n").versionNotUpperCase()).as("bare LF, leading CRLF").isEqualTo(wrongCase);
    }
}
