package provider

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
)

// certificateMaxLetterBytes is rule R7's limit on a revocation letter: 1.4 MB.
const certificateMaxLetterBytes = 1400 * 1000

// letterType names a revocation letter's type from its content, as the service does:
// "jpg", "png", "gif", "pdf", or "" for anything else.
func letterType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	}
	return ""
}

// letterProblem is a revocation letter that cannot be used, said for the user.
type letterProblem struct{ summary, detail string }

func (p *letterProblem) Error() string { return p.summary + ": " + p.detail }

// readLetter reads the revocation letter at path and checks what the provider can
// check alone (rule R7): the file exists, is at most 1.4 MB and is an image or a PDF.
// With allowed (e.g. jpg, png, pdf) its type must be one of those.
func readLetter(path string, allowed []string) ([]byte, *letterProblem) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, &letterProblem{"Revocation Letter Not Found",
			fmt.Sprintf("The revocation letter %q cannot be read: %s. Set revocation_letter_path to the signed letter "+
				"(JPG, PNG, GIF or PDF, at most 1.4 MB) that this certificate's revocation needs (rule R7).", path, err)}
	case info.IsDir():
		return nil, &letterProblem{"Revocation Letter Not Found",
			fmt.Sprintf("%q is a directory; set revocation_letter_path to the letter file itself.", path)}
	case info.Size() > certificateMaxLetterBytes:
		return nil, &letterProblem{"Revocation Letter Too Large",
			fmt.Sprintf("The letter %q is %d bytes; at most 1.4 MB (1 400 000 bytes) is accepted (rule R7). "+
				"Scan it at a lower resolution or save it as a smaller PDF.", path, info.Size())}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &letterProblem{"Revocation Letter Not Found",
			fmt.Sprintf("The revocation letter %q cannot be read: %s.", path, err)}
	}
	got := letterType(b)
	if got == "" {
		return nil, &letterProblem{"Revocation Letter Type Refused",
			fmt.Sprintf("The content of %q is not a JPG, PNG, GIF or PDF file; a revocation letter must be one (rule R7).", path)}
	}
	if len(allowed) > 0 && !slices.Contains(allowed, got) {
		return nil, &letterProblem{"Revocation Letter Type Refused",
			fmt.Sprintf("The content of %q is %s; this certificate's revocation takes %s (rule R7).",
				path, strings.ToUpper(got), strings.ToUpper(strings.Join(allowed, ", ")))}
	}
	return b, nil
}
