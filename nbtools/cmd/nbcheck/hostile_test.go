package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bounded fails the test if f takes longer than d.
func bounded(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	// f runs on the test's goroutine (so it may call t.Fatal); a hang
	// ends the test binary with this message, as go test's -timeout
	// would, but after d.
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: did not finish within %v", t.Name(), d)) })
	defer timer.Stop()
	f()
}

// pngHeader returns a PNG signature and IHDR chunk claiming w×h pixels
// (8-bit RGBA), with a valid CRC, and no image data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // bit depth 8, colour type RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// hostileNotebooks are malformed executed notebooks: each must give a
// problem report naming what is wrong, without a panic, within a second.
var hostileNotebooks = map[string]struct {
	json string
	want string
}{
	"null output":      {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"source":"x","outputs":[null]}]}`, "output 1 is null"},
	"source a number":  {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":null,"metadata":{},"source":42,"outputs":[]}]}`, "source is not a string"},
	"source with null": {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":null,"metadata":{},"source":["a",null],"outputs":[]}]}`, "source is not a string"},
	"outputs object":   {`{"nbformat":4,"cells":[{"cell_type":"code","outputs":{"a":1}}]}`, "not a notebook"},
	"traceback string": {`{"nbformat":4,"cells":[{"cell_type":"code","outputs":[{"output_type":"error","traceback":"x"}]}]}`, "not a notebook"},
	"top-level list":   {`[1,2]`, "not a notebook"},
	"null":             {`null`, "nbformat 0"},
	"cells null":       {`{"nbformat":4,"cells":[null]}`, ""},
	"no cells (null)":  {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":null}`, "cells is null, want a list"},
	"no cells at all":  {`{"nbformat":4,"nbformat_minor":5,"metadata":{}}`, "cells is missing, want a list"},
	"no cells (empty)": {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}`, "the notebook has no cells"},
	"cells an object":  {`{"nbformat":4,"cells":{"a":1}}`, "cells is {\"a\":1}, want a list"},
	"not executed":     {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":null,"metadata":{},"source":"","outputs":[]}]}`, "none of the 1 code cells was executed"},
	"huge PNG header": {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"source":"x","outputs":[` +
		`{"output_type":"display_data","metadata":{},"data":{"image/png":"` + base64.StdEncoding.EncodeToString(pngHeader(60000, 60000)) + `"}}]}]}`,
		"header claims 60000x60000 pixels"},
	"zero PNG header": {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"source":"x","outputs":[` +
		`{"output_type":"display_data","metadata":{},"data":{"image/png":"` + base64.StdEncoding.EncodeToString(pngHeader(0, 5)) + `"}}]}]}`,
		"image/png"},
	"png a number": {`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"source":"x","outputs":[` +
		`{"output_type":"display_data","metadata":{},"data":{"image/png":7,"image/svg+xml":null}}]}]}`,
		"image/png: empty"},
}

func TestHostileNotebooks(t *testing.T) {
	dir := t.TempDir()
	for name, c := range hostileNotebooks {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".ipynb")
			if err := os.WriteFile(p, []byte(c.json), 0o644); err != nil {
				t.Fatal(err)
			}
			bounded(t, 5*time.Second, func() {
				status, _, stderr := runCheck(t, "-images", "1", "-progress", p)
				if status != 1 {
					t.Errorf("status %d, want 1", status)
				}
				if !strings.Contains(stderr, c.want) {
					t.Errorf("report does not mention %q:\n%s", c.want, stderr)
				}
			})
		})
	}
}

// FuzzCheck runs nbcheck's checks on arbitrary notebook bytes: no panic,
// and a notebook it accepts must have had its figures and a finished
// progress bar (the flags given).
func FuzzCheck(f *testing.F) {
	for _, c := range hostileNotebooks {
		f.Add([]byte(c.json))
	}
	// A notebook that passes: a figure and a finished progress bar.
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		f.Fatal(err)
	}
	good, err := json.Marshal(nb(code(1, "%%\nrun()", display(map[string]any{
		"image/png": base64.StdEncoding.EncodeToString(img.Bytes()), "image/svg+xml": tinySVG,
	}), display(map[string]any{"text/html": doneHTML}))))
	if err != nil {
		f.Fatal(err)
	}
	if s, p := checkData("good.ipynb", good, config{images: 1, progress: true}); len(p) > 0 {
		f.Fatalf("seed notebook fails: %s %q", s, p)
	}
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		summary, problems := checkData("fuzz.ipynb", data, config{images: 1, progress: true})
		if len(problems) == 0 && !strings.Contains(summary, "finished progress bar") {
			t.Fatalf("accepted without a finished progress bar: %s", summary)
		}
	})
}
