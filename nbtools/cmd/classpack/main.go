// Command classpack writes the classroom notebooks as a teacher hands them
// out (make classroom):
//
//   - OUT/student/astronb: the repository's files with every notebook
//     stripped of outputs and execution counts, and without the teacher's
//     guide (notebooks/TEACHING.md, which holds the answer key) and the
//     self-checks' tests (notebooks/classroom/*_test.go, which hold the
//     default runs' values); also packed as OUT/astronb-student.tar.gz;
//   - OUT/teacher/astronb: everything, with the guide; notebooks executed
//     by make notebooks (-executed DIR) are added as
//     notebooks/executed/NAME.ipynb.
//
// Usage:
//
//	go run ./nbtools/cmd/classpack [-repo .] [-out out/classroom] [-executed out]
//
// The files are those git tracks (git ls-files), or, without git, every
// file outside .git, .build and out. OUT/student and OUT/teacher are
// replaced.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/astronb/astronb/nbtools/nbfmt"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("classpack", flag.ContinueOnError)
	fl.SetOutput(stderr)
	repo := fl.String("repo", ".", "the repository's root")
	out := fl.String("out", "out/classroom", "output folder (its student/ and teacher/ are replaced)")
	executed := fl.String("executed", "", "folder of executed notebooks (make notebooks' out/) for the teacher's copy; optional")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 0 {
		fmt.Fprintln(stderr, "classpack: no arguments expected, got", fl.Args())
		return 2
	}
	if err := pack(*repo, *out, *executed, stdout); err != nil {
		fmt.Fprintln(stderr, "classpack:", err)
		return 1
	}
	return 0
}

// forStudents reports whether a repository file goes into the student copy.
func forStudents(rel string) bool {
	rel = filepath.ToSlash(rel)
	switch {
	case rel == "notebooks/TEACHING.md":
		return false
	case strings.HasPrefix(rel, "notebooks/classroom/") && strings.HasSuffix(rel, "_test.go"):
		return false
	}
	return true
}

func pack(repo, out, executed string, stdout io.Writer) error {
	files, err := repoFiles(repo)
	if err != nil {
		return err
	}
	if !contains(files, "notebooks/TEACHING.md") {
		return fmt.Errorf("%s has no notebooks/TEACHING.md: is -repo the astronb repository?", repo)
	}
	student, teacher := filepath.Join(out, "student", "astronb"), filepath.Join(out, "teacher", "astronb")
	for _, d := range []string{filepath.Dir(student), filepath.Dir(teacher)} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	var tarFiles []string
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // tracked but deleted in the work tree
			}
			return err
		}
		if err := write(filepath.Join(teacher, rel), data); err != nil {
			return err
		}
		if !forStudents(rel) {
			continue
		}
		if strings.HasSuffix(rel, ".ipynb") {
			opts := nbfmt.Default()
			opts.StripOutputs = true
			if data, err = nbfmt.Format(data, opts); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		}
		if err := write(filepath.Join(student, rel), data); err != nil {
			return err
		}
		tarFiles = append(tarFiles, rel)
	}
	if executed != "" {
		nbs, _ := filepath.Glob(filepath.Join(executed, "*.ipynb"))
		for _, nb := range nbs {
			data, err := os.ReadFile(nb)
			if err != nil {
				return err
			}
			if err := write(filepath.Join(teacher, "notebooks", "executed", filepath.Base(nb)), data); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "teacher's copy: %d executed notebooks from %s\n", len(nbs), executed)
	}
	archive := filepath.Join(out, "astronb-student.tar.gz")
	if err := writeTarGz(archive, student, tarFiles); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "student copy:   %s (%d files; no outputs, no TEACHING.md, no self-check tests) and %s\n", student, len(tarFiles), archive)
	fmt.Fprintf(stdout, "teacher's copy: %s (%d files)\n", teacher, len(files))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// repoFiles lists the repository's files (relative, slash-separated): git's
// tracked and untracked-but-not-ignored files, or a walk without git.
func repoFiles(repo string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-co", "--exclude-standard")
	cmd.Dir = repo
	if outp, err := cmd.Output(); err == nil {
		files := strings.Split(strings.TrimSpace(string(outp)), "\n")
		sort.Strings(files)
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(repo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repo, path)
		if d.IsDir() {
			switch rel {
			case ".git", ".build", "out":
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// writeTarGz packs the files (relative to dir) under astronb/.
func writeTarGz(path, dir string, files []string) error {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "astronb/" + rel, Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return write(path, buf.Bytes())
}
