package preview

import (
	"reflect"
	"strings"
	"testing"
)

const base = "https://ci.example.com/buildbot/"

func TestFind(t *testing.T) {
	build := Link{Kind: KindBuild, BuilderID: 3, Number: 12}
	request := Link{Kind: KindRequest, RequestID: 41}
	builder := Link{Kind: KindBuilder, BuilderID: 7}
	tests := []struct {
		name    string
		message string
		want    []Link
	}{
		{name: "a pasted build link is found", message: "broken again: https://ci.example.com/buildbot/#/builders/3/builds/12", want: []Link{build}},
		{name: "a build request and a builder are found in their order",
			message: "queued https://ci.example.com/buildbot/#/buildrequests/41 on https://ci.example.com/buildbot/#/builders/7",
			want:    []Link{request, builder}},
		{name: "a request link that asks to go to its build is the request",
			message: "https://ci.example.com/buildbot/#/buildrequests/41?redirect_to_build=true", want: []Link{request}},
		{name: "Buildbot 3's links without the slash after the hash are found",
			message: "https://ci.example.com/buildbot/#builders/3/builds/12", want: []Link{build}},
		{name: "the base without its trailing slash, the host in capitals and a trailing slash are the same Buildbot",
			message: "see https://CI.example.com/buildbot#/builders/3/builds/12/.", want: []Link{build}},
		{name: "a Markdown link, an autolink and bold text are links", message: "[the build](https://ci.example.com/buildbot/#/builders/3/builds/12), " +
			"<https://ci.example.com/buildbot/#/buildrequests/41> and **https://ci.example.com/buildbot/#/builders/7**", want: []Link{build, request, builder}},
		{name: "the same build pasted twice is one preview",
			message: "https://ci.example.com/buildbot/#/builders/3/builds/12 https://ci.example.com/buildbot/#builders/3/builds/12", want: []Link{build}},
		{name: "at most three links get a preview", message: strings.Repeat("https://ci.example.com/buildbot/#/builders/1 ", 1) +
			"https://ci.example.com/buildbot/#/builders/2 https://ci.example.com/buildbot/#/builders/3 https://ci.example.com/buildbot/#/builders/4",
			want: []Link{{Kind: KindBuilder, BuilderID: 1}, {Kind: KindBuilder, BuilderID: 2}, {Kind: KindBuilder, BuilderID: 3}}},
		{name: "a link in a code span is left alone", message: "run `curl https://ci.example.com/buildbot/#/builders/3/builds/12` to see"},
		{name: "a link in a double-backtick code span with a backtick inside is left alone",
			message: "``a ` b https://ci.example.com/buildbot/#/builders/3/builds/12``"},
		{name: "a link in a fenced block is left alone", message: "log:\n```\nhttps://ci.example.com/buildbot/#/builders/3/builds/12\n```\n"},
		{name: "a link in a tilde fence is left alone", message: "~~~text\nhttps://ci.example.com/buildbot/#/builders/3/builds/12\n~~~"},
		{name: "a fence left open runs to the end", message: "```\nhttps://ci.example.com/buildbot/#/builders/3/builds/12"},
		{name: "a link after a closed fence is found",
			message: "```\nhttps://ci.example.com/buildbot/#/builders/1\n```\nhttps://ci.example.com/buildbot/#/builders/3/builds/12", want: []Link{build}},
		{name: "a link in an indented block is left alone", message: "log:\n\n    https://ci.example.com/buildbot/#/builders/3/builds/12"},
		{name: "an indented line that goes on a paragraph is a link",
			message: "the build\n    https://ci.example.com/buildbot/#/builders/3/builds/12", want: []Link{build}},
		{name: "an unmatched backtick does not hide what follows",
			message: "a ` here https://ci.example.com/buildbot/#/builders/3/builds/12", want: []Link{build}},
		{name: "a link to another server is ignored", message: "https://ci.other.com/buildbot/#/builders/3/builds/12"},
		{name: "a link to another path of the same host is ignored", message: "https://ci.example.com/other/#/builders/3/builds/12"},
		{name: "a link with another scheme is ignored", message: "http://ci.example.com/buildbot/#/builders/3/builds/12"},
		{name: "a host that only starts like the Buildbot's is ignored", message: "https://ci.example.com.evil.net/buildbot/#/builders/3/builds/12"},
		{name: "a step's log is not a build link", message: "https://ci.example.com/buildbot/#/builders/3/builds/12/steps/2/logs/stdio"},
		{name: "ids that are not numbers are ignored", message: "https://ci.example.com/buildbot/#/builders/x/builds/-1 " +
			"https://ci.example.com/buildbot/#/builders/0 https://ci.example.com/buildbot/#/builders/99999999999999999999"},
		{name: "other pages of Buildbot are ignored", message: "https://ci.example.com/buildbot/#/changes/4 https://ci.example.com/buildbot/"},
		{name: "text without a link costs nothing", message: "just words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Find(tt.message, base); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Find(%q) = %+v, want %+v", tt.message, got, tt.want)
			}
		})
	}
}

func TestALinkWrittenByThePluginIsFoundAgain(t *testing.T) {
	for _, l := range []Link{{Kind: KindBuild, BuilderID: 3, Number: 12}, {Kind: KindRequest, RequestID: 41}, {Kind: KindBuilder, BuilderID: 7}} {
		for _, b := range []string{base, "http://127.0.0.1:28010/", "https://ci.example.com"} {
			if got := Find("see "+l.URL(b), b); len(got) != 1 || got[0] != l {
				t.Errorf("Find(%s) = %+v, want %+v", l.URL(b), got, l)
			}
		}
	}
}

// FuzzFind feeds any message: Find never panics, finds at most Max distinct links, each one that
// the same message finds again once it is all that is written, and nothing inside a fenced block.
func FuzzFind(f *testing.F) {
	for _, seed := range []string{
		"https://ci.example.com/buildbot/#/builders/3/builds/12",
		"`https://ci.example.com/buildbot/#/builders/3` https://ci.example.com/buildbot/#buildrequests/4?x",
		"```\nhttps://ci.example.com/buildbot/#/builders/3\n```\n    https://ci.example.com/buildbot/#/builders/3",
		"[x](https://ci.example.com/buildbot#/builders/1/builds/2)**https://ci.example.com/buildbot/#/builders/5**",
		"``` ` ``https://ci.example.com/buildbot/#/builders/3``", "http", "https://", "~~~~\n~~~\nhttps://ci.example.com/buildbot/#/builders/3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, message string) {
		links := Find(message, base)
		if len(links) > Max {
			t.Fatalf("%d links", len(links))
		}
		for i, l := range links {
			if contains(links[:i], l) {
				t.Fatalf("%+v twice", l)
			}
			if again := Find(l.URL(base), base); len(again) != 1 || again[0] != l {
				t.Fatalf("%+v written out is %+v", l, again)
			}
		}
		if fenced := Find("```\n"+strings.ReplaceAll(message, "```", "")+"\n```", base); len(fenced) != 0 {
			t.Fatalf("found %+v in a fenced block", fenced)
		}
	})
}
