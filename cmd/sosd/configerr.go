package main

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// configError is one problem in a configuration file, located as
// FILE:LINE:COL: key.path: what is wrong (SPEC §4: errors name the file, line
// and key).
type configError struct {
	File      string
	Line, Col int    // 0 when the problem has no place in the file
	Path      string // e.g. customers[1].addresses[0]; empty for the whole file
	Msg       string
}

func (e *configError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// configErrors is every problem found in one file, in file order where
// they have a place.
type configErrors []*configError

func (es configErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// locator finds the line and column of a key path in a parsed file.
type locator struct {
	name string
	file *ast.File
}

// at returns a configError for path, placed at the path's node or, when the
// key is absent, at its nearest present parent.
func (l locator) at(path, format string, args ...any) *configError {
	line, col := l.position(path)
	return &configError{File: l.name, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// line returns the line of path, 0 when nothing of it is in the file.
func (l locator) line(path string) int {
	line, _ := l.position(path)
	return line
}

func (l locator) position(path string) (line, col int) {
	if l.file == nil {
		return 0, 0
	}
	for p := path; p != ""; p = parentPath(p) {
		yp, err := yaml.PathString("$." + p)
		if err != nil {
			continue
		}
		node, err := yp.FilterFile(l.file)
		if err != nil || node == nil || node.GetToken() == nil {
			continue
		}
		pos := node.GetToken().Position
		return pos.Line, pos.Column
	}
	// A top-level key that is missing belongs at the top of the file.
	return 1, 1
}

// parentPath drops the last element of a key path: a.b[2] → a.b → a → "".
func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return ""
}

// fromYAMLError turns an error of the YAML parser or decoder into a
// configError placed at its token, with the key path of that token where
// the file has one.
func (l locator) fromYAMLError(err error) *configError {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return &configError{File: l.name, Msg: err.Error()}
	}
	tk := ye.GetToken()
	msg := ye.GetMessage()
	var te *yaml.TypeError
	if errors.As(err, &te) && te.DstType != nil {
		msg = "must be " + describeType(te.DstType)
	}
	e := &configError{File: l.name, Line: tk.Position.Line, Col: tk.Position.Column, Msg: msg}
	if l.file != nil {
		e.Path = pathOfToken(l.file, tk.Position.Line, tk.Position.Column)
	}
	return e
}

// pathOfToken returns the key path of the node at line:col, "" if none.
func pathOfToken(f *ast.File, line, col int) string {
	var found string
	for _, doc := range f.Docs {
		ast.Walk(visitFunc(func(n ast.Node) bool {
			if tk := n.GetToken(); tk != nil && tk.Position.Line == line && tk.Position.Column == col {
				found = strings.TrimPrefix(strings.TrimPrefix(n.GetPath(), "$"), ".")
				return false
			}
			return true
		}), doc)
	}
	return found
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if f(n) {
		return f
	}
	return nil
}

// unknownKeys walks the file against the Go type it decodes into and
// reports every key that type does not have, so an admin sees all of them
// at once rather than the decoder's first (SPEC §4: unknown keys are
// errors).
func (l locator) unknownKeys(node ast.Node, t reflect.Type, path string) configErrors {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n := node.(type) {
	case *ast.AnchorNode:
		return l.unknownKeys(n.Value, t, path)
	case *ast.TagNode:
		return l.unknownKeys(n.Value, t, path)
	case *ast.DocumentNode:
		return l.unknownKeys(n.Body, t, path)
	}
	var errs configErrors
	switch t.Kind() {
	case reflect.Struct:
		fields := yamlFields(t)
		for _, mv := range mappingValues(node) {
			key := mv.Key.GetToken().Value
			sub := joinPath(path, key)
			f, ok := fields[key]
			if !ok {
				pos := mv.Key.GetToken().Position
				errs = append(errs, &configError{File: l.name, Line: pos.Line, Col: pos.Column, Path: sub, Msg: "unknown key"})
				continue
			}
			errs = append(errs, l.unknownKeys(mv.Value, f, sub)...)
		}
	case reflect.Map:
		for _, mv := range mappingValues(node) {
			errs = append(errs, l.unknownKeys(mv.Value, t.Elem(), joinPath(path, mv.Key.GetToken().Value))...)
		}
	case reflect.Slice:
		if seq, ok := node.(*ast.SequenceNode); ok {
			for i, v := range seq.Values {
				errs = append(errs, l.unknownKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func mappingValues(node ast.Node) []*ast.MappingValueNode {
	switch n := node.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

// yamlFields maps the yaml key of each field of struct type t to its type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// describeType names a Go type the way the configuration's reader thinks
// of it, for type mismatches.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a text value"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping of keys to values"
	}
	return "a " + t.String()
}
