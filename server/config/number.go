package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Number is a number setting. System Console stores numbers as JSON numbers, but the config API and
// config.json edited by hand may hold strings; both load, and a bad value becomes a Problem instead
// of a failed activation.
type Number struct {
	Value float64
	Set   bool
	Raw   string
}

// UnmarshalJSON accepts 10, 10.0, "10" and "" (unset).
func (n *Number) UnmarshalJSON(b []byte) error {
	*n = Number{}
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("number setting: %w", err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	n.Raw, n.Set = s, true
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		n.Value = v
	}
	return nil
}

// MarshalJSON writes the number back as System Console would store it.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Set {
		return []byte("null"), nil
	}
	if n.valid() {
		return json.Marshal(n.Value)
	}
	return json.Marshal(n.Raw)
}

func (n Number) valid() bool {
	_, err := strconv.ParseFloat(n.Raw, 64)
	return err == nil
}

// Seconds converts the setting to a duration, or def when unset or unusable.
func (n Number) Seconds(def time.Duration) time.Duration {
	if !n.Set || !n.valid() || n.Value <= 0 {
		return def
	}
	return time.Duration(n.Value * float64(time.Second))
}

// check words what is wrong with the number, in seconds or as a plain count.
func (n Number) check(lowest, highest float64, seconds bool) i18n.Text {
	low, high := strconv.FormatFloat(lowest, 'g', -1, 64), strconv.FormatFloat(highest, 'g', -1, 64)
	switch {
	case !n.Set:
		return i18n.Text{}
	case !n.valid():
		return i18n.T("config.number.not_number", "`{{.Value}}` is not a number.", "Value", markdown.Code(n.Raw))
	case (n.Value < lowest || n.Value > highest) && seconds:
		return i18n.T("config.number.seconds_range", "is {{.Value}}; it must be between {{.Low}} and {{.High}} seconds.", "Value", markdown.Text(n.Raw), "Low", low, "High", high)
	case n.Value < lowest || n.Value > highest:
		return i18n.T("config.number.range", "is {{.Value}}; it must be between {{.Low}} and {{.High}}.", "Value", markdown.Text(n.Raw), "Low", low, "High", high)
	}
	return i18n.Text{}
}

// NumberOf makes a set Number, for tests and defaults.
func NumberOf(v float64) Number {
	return Number{Value: v, Set: true, Raw: strconv.FormatFloat(v, 'g', -1, 64)}
}
