package mail

// This file holds what attachment names share with bodies: media-type parameters
// (RFC 2045 §5.1, RFC 2231), charsets and transfer encodings, and SafeFilename itself.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// safeMaxFilename is the longest name SafeFilename returns, in bytes. Most file systems allow
// 255 bytes; the margin leaves room for a storage prefix such as "12-".
const safeMaxFilename = 200

// safeMaxExt is the longest suffix that still counts as an extension when a long name is cut.
const safeMaxExt = 16

// SafeFilename makes an attachment name safe to store and show. The caller has already decoded
// RFC 2231 parameter values and RFC 2047 encoded-words. SafeFilename then removes any directory
// part (both / and \), replaces control characters, Unicode format characters (such as the
// right-to-left override used to disguise "exe.pdf") and the characters invalid on Windows
// (<>:"|?*) with '_', trims leading dots and surrounding spaces (and the trailing dots Windows
// drops), prefixes Windows device names (CON, NUL, COM1…) with '_', and caps the length at 200
// bytes on a rune boundary, keeping the extension. When nothing meaningful is left it returns
// "attachment" plus an extension guessed from mediaType when it knows one.
//
// SafeFilename is idempotent: SafeFilename(SafeFilename(n, t), t) == SafeFilename(n, t).
func SafeFilename(name, mediaType string) string {
	name = strings.ToValidUTF8(name, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		if safeBadRune(r) {
			b.WriteByte('_')
		} else {
			b.WriteRune(r)
		}
	}
	s := safeTrim(b.String())
	if safeReserved(s) {
		s = "_" + s
	}
	s = safeTrim(safeTruncate(s, safeMaxFilename))
	if strings.Trim(s, "_") == "" {
		return "attachment" + safeExtByType(mediaType)
	}
	return s
}

// safeBadRune reports whether r may not appear in a stored file name.
func safeBadRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case strings.ContainsRune(`<>:"|?*/\`, r):
		return true
	case r == utf8.RuneError:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// safeTrim removes surrounding white space, leading dots (hidden files, "..") and trailing dots,
// which Windows silently drops.
func safeTrim(s string) string {
	for {
		t := strings.TrimRight(strings.TrimLeft(strings.TrimSpace(s), "."), ". ")
		if t == s {
			return s
		}
		s = t
	}
}

// safeReserved reports whether s names a Windows device (CON, PRN, AUX, NUL, COM0–9, LPT0–9),
// with or without an extension.
func safeReserved(s string) bool {
	base, _, _ := strings.Cut(s, ".")
	base = strings.ToUpper(strings.TrimSpace(base))
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		return base[3] >= '0' && base[3] <= '9'
	}
	return false
}

// safeTruncate cuts s to at most max bytes on a rune boundary, keeping a short extension.
func safeTruncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	ext := ""
	if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= safeMaxExt && !strings.ContainsAny(s[i:], " _") {
		ext = s[i:]
	}
	base := s[:len(s)-len(ext)]
	n := max - len(ext)
	for n > 0 && !utf8.RuneStart(base[n]) {
		n--
	}
	return strings.TrimRight(base[:n], ". ") + ext
}

// safeExtByType guesses a file extension from a media type. It uses a fixed table rather than
// mime.ExtensionsByType, whose answer depends on the host's mime.types files.
func safeExtByType(mediaType string) string {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mediaType)), ";")
	switch mt {
	case "application/pdf":
		return ".pdf"
	case "application/zip", "application/x-zip-compressed":
		return ".zip"
	case "application/gzip", "application/x-gzip":
		return ".gz"
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return ".dat"
	case "application/pgp-signature":
		return ".asc"
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
		return ".p7s"
	case "application/msword":
		return ".doc"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	case "application/vnd.ms-excel":
		return ".xls"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return ".xlsx"
	case "application/json":
		return ".json"
	case "application/xml", "text/xml":
		return ".xml"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/bmp":
		return ".bmp"
	case "image/tiff":
		return ".tif"
	case "text/plain", "message/delivery-status", "message/disposition-notification",
		"message/feedback-report", "text/rfc822-headers", "message/global-delivery-status":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/calendar":
		return ".ics"
	case "text/csv":
		return ".csv"
	case "text/vcard", "text/x-vcard":
		return ".vcf"
	case "message/rfc822", "message/global":
		return ".eml"
	}
	return ""
}
