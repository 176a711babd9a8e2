package buildlog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// expected is what a corpus log's NAME.json says Analyze should find in NAME.log.
type expected struct {
	Runner string   `json:"runner"`
	Failed []string `json:"failed"`
	Counts *struct {
		Passed  int `json:"passed"`
		Failed  int `json:"failed"`
		Skipped int `json:"skipped"`
	} `json:"counts"`
	// FirstError must appear within the FirstError block.
	FirstError string `json:"first_error"`
}

type corpusLog struct {
	name, text string
	want       expected
}

func readCorpus(t testing.TB) []corpusLog {
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.log"))
	require.NoError(t, err)
	var logs []corpusLog
	for _, path := range paths {
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		raw, err := os.ReadFile(strings.TrimSuffix(path, ".log") + ".json")
		require.NoError(t, err)
		var want expected
		require.NoError(t, json.Unmarshal(raw, &want), path)
		logs = append(logs, corpusLog{name: strings.TrimSuffix(filepath.Base(path), ".log"), text: string(text), want: want})
	}
	return logs
}

// differences says how a report differs from what a corpus log expects, nil when it does not.
func differences(got Report, want expected) []string {
	var diffs []string
	if got.Runner != want.Runner {
		diffs = append(diffs, fmt.Sprintf("runner %q, want %q", got.Runner, want.Runner))
	}
	var names []string
	for _, test := range got.Failed {
		names = append(names, test.Name)
	}
	wantNames := slices.Clone(want.Failed)
	slices.Sort(names)
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		diffs = append(diffs, fmt.Sprintf("failed %q, want %q", names, wantNames))
	}
	switch c := got.Counts; {
	case want.Counts == nil && c.Known:
		diffs = append(diffs, fmt.Sprintf("counts %+v, want none", c))
	case want.Counts != nil && (!c.Known || c.Passed != want.Counts.Passed || c.Failed != want.Counts.Failed || c.Skipped != want.Counts.Skipped):
		diffs = append(diffs, fmt.Sprintf("counts %+v, want %+v", c, *want.Counts))
	}
	if !strings.Contains(strings.Join(got.FirstError, "\n"), want.FirstError) {
		diffs = append(diffs, fmt.Sprintf("first error (line %d) %q lacks %q", got.FirstErrorLine, got.FirstError, want.FirstError))
	}
	return diffs
}

func TestCorpus(t *testing.T) {
	logs := readCorpus(t)
	require.GreaterOrEqual(t, len(logs), 45, "the corpus is too small to measure")
	right := 0
	for _, l := range logs {
		if diffs := differences(Analyze(l.text), l.want); len(diffs) > 0 {
			t.Logf("%s: %s", l.name, strings.Join(diffs, "; "))
		} else {
			right++
		}
	}
	score := 100 * float64(right) / float64(len(logs))
	t.Logf("corpus: %d of %d logs right (%.1f%%)", right, len(logs), score)
	if score < 95 {
		t.Errorf("below 95%%")
	}
}

// FuzzAnalyze checks that no log panics, and that FirstErrorLine points at FirstError's first line.
func FuzzAnalyze(f *testing.F) {
	for _, l := range readCorpus(f) {
		f.Add(l.text)
	}
	f.Fuzz(func(t *testing.T, log string) {
		r := Analyze(log)
		if r.FirstError == nil {
			return
		}
		lines := splitLinesForTest(log)
		require.Less(t, r.FirstErrorLine, len(lines))
		require.GreaterOrEqual(t, r.FirstErrorLine, 0)
		require.Equal(t, lines[r.FirstErrorLine], r.FirstError[0])
		// The error is in its block, after its context.
		require.GreaterOrEqual(t, r.ErrorLine, r.FirstErrorLine)
		require.Less(t, r.ErrorLine, r.FirstErrorLine+len(r.FirstError))
		require.LessOrEqual(t, len(r.FirstError), maxBlock)
		require.LessOrEqual(t, len(r.Failed), maxFailed)
	})
}

// splitLinesForTest cuts a log into lines as a reader would, apart from the code under test.
func splitLinesForTest(log string) []string {
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
