package dev.galeraagent.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile text for the property tests of the parsers: garbage, control characters, huge numbers, and valid documents mutated. */
public final class Hostile {
    private Hostile() {
    }

    /** Any characters at all, short or up to the size the file readers let through. */
    public static Arbitrary<String> text(int maxLength) {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.strings().all().ofMaxLength(maxLength),
                Arbitraries.strings().withChars("\r\n\t :#-{}[]\",0123456789abcdef\u0000\u00ff\u2028").ofMaxLength(maxLength));
    }

    /** Numbers a parser may choke on: signs, overflow, leading zeros, exponents, unicode digits. */
    public static Arbitrary<String> number() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.of("-1", "-0", "+5", "00000000000000000000001", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775809", "1e9", "0x10", "١٢٣", "NaN", "", " ", "1_000"),
                Arbitraries.strings().numeric().ofMinLength(15).ofMaxLength(400));
    }

    /** {@code valid} with a few random edits: a character replaced, inserted or deleted, a line duplicated or cut. */
    public static Arbitrary<String> mutationsOf(String valid) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, valid.length());
        Arbitrary<Character> ch = Arbitraries.chars().all();
        Arbitrary<String> once = Combinators.combine(at, ch, Arbitraries.integers().between(0, 4)).as((i, c, op) -> switch (op) {
            case 0 -> valid.substring(0, i) + c + valid.substring(Math.min(valid.length(), i + 1));
            case 1 -> valid.substring(0, i) + c + valid.substring(i);
            case 2 -> valid.substring(0, i) + valid.substring(Math.min(valid.length(), i + 1));
            case 3 -> valid.substring(0, i);
            default -> valid.substring(0, i) + valid.substring(0, i) + valid.substring(i);
        });
        return Arbitraries.oneOf(once, once.flatMap(Hostile::mutationsOfOnce));
    }

    private static Arbitrary<String> mutationsOfOnce(String s) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, s.length());
        return Combinators.combine(at, number()).as((i, n) -> s.substring(0, i) + n + s.substring(i));
    }
}
