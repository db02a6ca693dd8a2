package jsonscan

import (
	"bufio"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// maxKeptBuffer is the largest Scanner buffer an Input keeps for the next
// Open; a huge record's buffer is left to the garbage collector.
const maxKeptBuffer = 1 << 20

// Input is the memory a reader reuses to read one input after another: a
// buffered reader, a gzip reader and the Scanner's buffer. The zero Input
// is ready to use; it serves one input at a time.
type Input struct {
	br  *bufio.Reader
	zr  *gzip.Reader // nil until the first gzipped input
	buf []byte
}

// Open returns a Scanner of rd, decompressed when it starts with gzip's
// magic bytes, that returns values of at most max bytes whole. Close must
// follow a successful Open once the Scanner is done.
func (in *Input) Open(rd io.Reader, max int64) (*Scanner, error) {
	if in.br == nil {
		in.br = bufio.NewReaderSize(rd, 64<<10)
	} else {
		in.br.Reset(rd)
	}
	var src io.Reader = in.br
	if magic, _ := in.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if in.zr == nil {
			in.zr, err = gzip.NewReader(in.br)
		} else {
			err = in.zr.Reset(in.br)
		}
		if err != nil {
			in.zr = nil
			in.br.Reset(nil)
			return nil, fmt.Errorf("decompressing gzip: %w", err)
		}
		src = gzipReader{in.zr}
	}
	return New(src, max, in.buf), nil
}

// Close ends the read of s, which Open returned: it keeps s's buffer for
// the next Open when it is small, and no reference to the input.
func (in *Input) Close(s *Scanner) {
	if b := s.Buffer(); len(b) <= maxKeptBuffer {
		in.buf = b
	} else {
		in.buf = nil
	}
	in.br.Reset(nil)
}

// gzipReader names decompression errors, which otherwise read like JSON ones.
type gzipReader struct{ zr *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("decompressing gzip (truncated or corrupt): %w", err)
	}
	return n, err
}
