package dev.agentsandbox.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The size limits that keep the reconcilers and local mode readable (docs/architecture.md, "Packages"): no class
 * under {@code controller/} over 300 lines and no method there over 40; no file under {@code local/} over 400. A
 * class that outgrows them usually hides a second job.
 */
class CodeShapeTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/agentsandbox");

    /** A method or constructor declaration: modifiers, an optional return type, a name and an opening parenthesis. */
    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|protected|private|static|final|synchronized|abstract"
                    + "|default)\\s+)*(?:<[^>]+>\\s+)?(?:([\\w.]+)(?:<[^()]*>)?(?:\\[])*\\s+)?(\\w+)\\s*\\(");

    private static final Pattern STATEMENT =
            Pattern.compile("^\\s*(return|throw|new|else|if|for|while|switch|catch|case|yield|try|do)\\b");

    @Test
    void noControllerClassIsOver300Lines() {
        assertThat(filesOver(SOURCES.resolve("controller"), 300)).isEmpty();
    }

    @Test
    void noFileOfLocalModeIsOver400Lines() {
        assertThat(filesOver(SOURCES.resolve("local"), 400)).isEmpty();
    }

    @Test
    void noControllerMethodIsOver40Lines() {
        List<String> long40 = new ArrayList<>();
        for (Path file : javaFiles(SOURCES.resolve("controller"))) {
            for (Method m : methods(file)) {
                if (m.lines() > 40) {
                    long40.add(file + ":" + m.line() + " " + m.name() + " (" + m.lines() + " lines)");
                }
            }
        }
        assertThat(long40).isEmpty();
    }

    @Test
    void theMethodCountFindsMethodsAndTheirEnds() throws IOException {
        Path file = Files.createTempFile("Shape", ".java");
        Files.writeString(
                file,
                """
                class Shape {
                    private final String text = "{ not a brace }";

                    Shape(int a) {
                        if (a > 0) {
                            System.out.println("}");
                        }
                    }

                    static <T> java.util.List<T> list(
                            T one,
                            T two) {
                        return java.util.List.of(one, two);
                    }

                    record Point(int x, int y) {}
                }
                """);
        try {
            assertThat(methods(file)).containsExactly(new Method("Shape", 4, 5), new Method("list", 10, 5));
        } finally {
            Files.delete(file);
        }
    }

    record Method(String name, int line, int lines) {}

    /** Every method and constructor with a body, from its first declaration line to its closing brace. */
    static List<Method> methods(Path file) {
        List<String> lines = read(file).stream().map(CodeShapeTest::code).toList();
        List<Method> methods = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = DECLARATION.matcher(line);
            boolean declaration = m.find()
                    && !STATEMENT.matcher(line).find()
                    && !line.substring(0, line.indexOf('(')).contains("=")
                    && !"record".equals(m.group(1))
                    && !List.of("class", "record", "enum", "interface").contains(m.group(2));
            if (!declaration) {
                continue;
            }
            int bodyStart = openingBrace(lines, i);
            if (bodyStart >= 0) {
                methods.add(new Method(m.group(2), i + 1, closingBrace(lines, bodyStart) - i + 1));
            }
        }
        return methods;
    }

    /** The line of the declaration's body brace, or -1 when it ends with {@code ;} (abstract or interface). */
    private static int openingBrace(List<String> lines, int from) {
        int parens = 0;
        for (int j = from; j < lines.size(); j++) {
            for (char c : lines.get(j).toCharArray()) {
                if (c == '(') {
                    parens++;
                } else if (c == ')') {
                    parens--;
                } else if (parens == 0 && (c == '{' || c == ';')) {
                    return c == '{' ? j : -1;
                }
            }
        }
        return -1;
    }

    private static int closingBrace(List<String> lines, int from) {
        int depth = 0;
        for (int k = from; k < lines.size(); k++) {
            for (char c : lines.get(k).toCharArray()) {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            if (depth == 0) {
                return k;
            }
        }
        return lines.size() - 1;
    }

    /** The line without string and character literals and line comments, so their braces do not count. */
    private static String code(String line) {
        return line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(?:\\\\.|[^'\\\\])'", "''")
                .replaceAll("//.*", "");
    }

    private static List<String> filesOver(Path dir, int limit) {
        return javaFiles(dir).stream()
                .filter(f -> read(f).size() > limit)
                .map(f -> f + " (" + read(f).size() + " lines)")
                .toList();
    }

    private static List<Path> javaFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
