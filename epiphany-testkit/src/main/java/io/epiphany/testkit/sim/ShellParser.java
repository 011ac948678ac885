package io.epiphany.testkit.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the small shell language of {@code docs/host-commands.md}: words with single and double quotes and
 * backslash escapes, {@code ;}, {@code &&}, {@code ||}, brace groups {@code { cmd; cmd; }}, {@code >/dev/null},
 * {@code 2>/dev/null} and {@code > file} (the exec upload's {@code cat > tmp}), and the one parameter {@code $?}
 * (the last command's exit status, in the one-exec file swap's result line). Anything else (pipes, other variables,
 * globs, subshells, other redirections) is rejected, because the SDK must not depend on it.
 */
public final class ShellParser {
    private static final String REJECTED_UNQUOTED = "|&;()<>`$*?~{}!#";
    /**
     * Stands for {@code $?} in a parsed word until the command runs ({@link #expandStatus}); a NUL never reaches a
     * real shell's line, so it cannot clash with text.
     */
    private static final String STATUS = "\u0000?";

    private final String line;
    private int pos;

    private ShellParser(String line) {
        this.line = line;
    }

    public static ShellScript parse(String line) throws ShellSyntaxException {
        return new ShellParser(line).script(false);
    }

    /** Steps up to the end of the line, or (in a group) up to and including the closing brace. */
    private ShellScript script(boolean inGroup) throws ShellSyntaxException {
        List<ShellScript.Step> steps = new ArrayList<>();
        ShellScript.Join join = ShellScript.Join.FIRST;
        while (true) {
            skipBlanks();
            if (inGroup && at('}')) {
                // '}' is a reserved word: it closes a group only where a command could start, after ';'
                if (join != ShellScript.Join.SEQUENCE || steps.isEmpty() || !reservedWordEnds(pos + 1)) {
                    throw unexpected();
                }
                pos++;
                return new ShellScript(steps);
            }
            if (at('{') && pos + 1 < line.length() && " \t".indexOf(line.charAt(pos + 1)) >= 0) {
                pos++;
                steps.add(new ShellScript.Step(join, null, script(true)));
            } else {
                SimpleCommand command = command();
                if (command == null) {
                    if (!inGroup && (join == ShellScript.Join.FIRST || join == ShellScript.Join.SEQUENCE)) {
                        skipBlanks();
                        if (pos >= line.length()) {
                            return new ShellScript(steps);
                        }
                    }
                    throw unexpected();
                }
                steps.add(new ShellScript.Step(join, command));
            }
            skipBlanks();
            if (pos >= line.length()) {
                if (inGroup) {
                    throw new ShellSyntaxException("Syntax error: end of file unexpected (expecting \"}\")");
                }
                return new ShellScript(steps);
            }
            if (line.startsWith("&&", pos)) {
                join = ShellScript.Join.AND;
                pos += 2;
            } else if (line.startsWith("||", pos)) {
                join = ShellScript.Join.OR;
                pos += 2;
            } else if (line.charAt(pos) == ';') {
                join = ShellScript.Join.SEQUENCE;
                pos++;
            } else {
                throw unexpected();
            }
        }
    }

    /** A command up to the next operator, or null when there is none. */
    private SimpleCommand command() throws ShellSyntaxException {
        List<String> words = new ArrayList<>();
        boolean discardOut = false;
        boolean discardErr = false;
        String outFile = null;
        while (true) {
            skipBlanks();
            if (pos >= line.length() || line.startsWith("&&", pos) || line.startsWith("||", pos)
                    || line.charAt(pos) == ';') {
                break;
            }
            if (line.startsWith("2>", pos) || line.startsWith("1>", pos) || line.charAt(pos) == '>') {
                boolean err = line.charAt(pos) == '2';
                pos += line.charAt(pos) == '>' ? 1 : 2;
                skipBlanks();
                String target = word();
                if ("/dev/null".equals(target)) {
                    discardErr |= err;
                    discardOut |= !err;
                    outFile = err ? outFile : null;
                } else if (err) {
                    throw new ShellSyntaxException("redirection of stderr to '" + target
                            + "' is not supported (only /dev/null)");
                } else {
                    outFile = target;
                    discardOut = false;
                }
                continue;
            }
            words.add(word());
        }
        if (words.isEmpty()) {
            if (discardOut || discardErr || outFile != null) {
                throw new ShellSyntaxException("a redirection without a command");
            }
            return null;
        }
        return new SimpleCommand(words, discardOut, discardErr, outFile);
    }

    private String word() throws ShellSyntaxException {
        StringBuilder sb = new StringBuilder();
        boolean any = false;
        while (pos < line.length()) {
            char c = line.charAt(pos);
            if (c == ' ' || c == '\t') {
                break;
            }
            if (c == '\'') {
                int end = line.indexOf('\'', pos + 1);
                if (end < 0) {
                    throw new ShellSyntaxException("Unterminated quoted string");
                }
                sb.append(line, pos + 1, end);
                pos = end + 1;
            } else if (c == '"') {
                pos = doubleQuoted(sb, pos + 1);
            } else if (c == '\\') {
                if (pos + 1 >= line.length()) {
                    throw new ShellSyntaxException("a trailing backslash");
                }
                sb.append(line.charAt(pos + 1));
                pos += 2;
            } else if (line.startsWith("$?", pos)) {
                sb.append(STATUS);
                pos += 2;
            } else if (c == '\n' || c == '\r') {
                throw unexpected();
            } else if (REJECTED_UNQUOTED.indexOf(c) >= 0) {
                if ((c == '&' && line.startsWith("&&", pos)) || (c == '|' && line.startsWith("||", pos)) || c == ';'
                        || c == '>') {
                    break;
                }
                throw unexpected();
            } else {
                sb.append(c);
                pos++;
            }
            any = true;
        }
        if (!any) {
            throw unexpected();
        }
        return sb.toString();
    }

    private int doubleQuoted(StringBuilder sb, int from) throws ShellSyntaxException {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (line.startsWith("$?", i)) {
                sb.append(STATUS);
                i += 2;
                continue;
            }
            if (c == '$' || c == '`') {
                throw new ShellSyntaxException("expansion '" + c + "' inside double quotes is not supported");
            }
            if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                sb.append(line.charAt(i + 1));
                i += 2;
                continue;
            }
            sb.append(c);
            i++;
        }
        throw new ShellSyntaxException("Unterminated quoted string");
    }

    /** The words with every {@code $?} replaced by {@code status}, the exit status of the command before. */
    static List<String> expandStatus(List<String> words, int status) {
        if (words.stream().noneMatch(w -> w.contains(STATUS))) {
            return words;
        }
        return words.stream().map(w -> w.replace(STATUS, Integer.toString(status))).toList();
    }

    private boolean at(char c) {
        return pos < line.length() && line.charAt(pos) == c;
    }

    /** Whether a closing brace ending before {@code i} is a word of its own. */
    private boolean reservedWordEnds(int i) {
        return i >= line.length() || " \t;&|".indexOf(line.charAt(i)) >= 0;
    }

    private void skipBlanks() {
        while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private ShellSyntaxException unexpected() {
        String token = pos < line.length() ? String.valueOf(line.charAt(pos)) : "end of line";
        if (line.startsWith("&&", pos) || line.startsWith("||", pos)) {
            token = line.substring(pos, pos + 2);
        }
        return new ShellSyntaxException("Syntax error: \"" + token + "\" unexpected");
    }
}
