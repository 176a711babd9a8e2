package config

import "testing"

func TestLinkPreviewsAreOnUnlessTurnedOff(t *testing.T) {
	off, on := false, true
	for _, tt := range []struct {
		name string
		set  *bool
		want bool
	}{
		{"settings saved before the setting existed preview links", nil, true},
		{"turned on", &on, true},
		{"turned off", &off, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&Configuration{LinkPreviews: tt.set}).PreviewsEnabled(); got != tt.want {
				t.Errorf("PreviewsEnabled() = %v", got)
			}
		})
	}
}
