package buildlog

import "regexp"

var (
	// A test's result: "test tests::parses ... FAILED", a doctest's "test src/lib.rs - add (line 5) ... ok".
	cargoResultRe = regexp.MustCompile(`^test (.+?) \.\.\. (ok|FAILED|ignored)\b`)
	// A test binary's totals: "test result: FAILED. 10 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; …".
	cargoTotalsRe = regexp.MustCompile(`^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;`)
	// The list closing a failed binary's output, "failures:" then one indented name a line.
	cargoListRe     = regexp.MustCompile(`^failures:$`)
	cargoListItemRe = regexp.MustCompile(`^ {4}(\S.*)$`)
	cargoOtherRe    = regexp.MustCompile(`^(?:running \d+ tests?$|---- .+ stdout ----$|\s+(?:Running (?:unittests )?\S+ \(|Doc-tests \S))`)
)

// parseCargo reads the output of cargo test, one set of totals for each test binary it ran.
func parseCargo(lines []string) outcome {
	var (
		o      outcome
		inList bool
	)
	for _, line := range lines {
		if inList {
			if m := cargoListItemRe.FindStringSubmatch(line); m != nil {
				o.evidence++
				o.failed.add(m[1])
				continue
			}
			inList = line == ""
		}
		switch {
		case cargoResultRe.MatchString(line):
			o.evidence++
			if m := cargoResultRe.FindStringSubmatch(line); m[2] == "FAILED" {
				o.failed.add(m[1])
			}
		case cargoTotalsRe.MatchString(line):
			o.evidence++
			m := cargoTotalsRe.FindStringSubmatch(line)
			o.counts.add(number(m[1]), number(m[2]), number(m[3]))
		case cargoListRe.MatchString(line):
			o.evidence++
			inList = true
		case cargoOtherRe.MatchString(line):
			o.evidence++
		}
	}
	o.failing = o.failed.len() > 0 || o.counts.Failed > 0
	return o
}
