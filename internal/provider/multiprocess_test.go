package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

// buildProvider builds this module's provider binary into a temporary directory and
// returns the directory, for a Terraform CLI config with dev_overrides.
func buildProvider(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-ssl"), "../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

func terraformPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform CLI: set TF_ACC_TERRAFORM_PATH")
	}
	return p
}

// Two terraform processes apply at the same moment against one data dir that does not
// exist yet (key file, migrations and first writes race): nothing is lost, nothing is
// duplicated, and every id in either state is in the backend.
func TestAccTwoTerraformProcessesShareOneFreshDataDir(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tf := terraformPath(t)
	binDir := buildProvider(t)
	cliConfig := filepath.Join(t.TempDir(), "terraform.rc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sslkit/ssl\" = %q\n  }\n  direct {}\n}\n", binDir)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "fresh", "data")
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: "shared.example.test", DNSNames: []string{"shared.example.test"}})
	const perProcess = 15

	var dirs []string
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		dirs = append(dirs, dir)
		must(t, os.WriteFile(filepath.Join(dir, "cert.pem"), []byte(leaf.CertPEM), 0o600))
		must(t, os.WriteFile(filepath.Join(dir, "key.pem"), []byte(leaf.KeyPEM(t, certstest.PKCS8)), 0o600))
		cfg := fmt.Sprintf(`
terraform {
  required_providers {
    ssl = {
      source = "sslkit/ssl"
    }
  }
}

provider "ssl" {
  data_dir = %[1]q
}

resource "ssl_certificate_upload" "c" {
  count           = %[2]d
  name            = "runner-%[3]d-${count.index}"
  certificate_pem = file("${path.module}/cert.pem")
  private_key_pem = file("${path.module}/key.pem")
}

output "ids" {
  value = ssl_certificate_upload.c[*].id
}
`, dataDir, perProcess, i)
		must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600))
	}

	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	var wg sync.WaitGroup
	errs := make([]error, len(dirs))
	outs := make([][]byte, len(dirs))
	for i, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(tf, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
			cmd.Dir, cmd.Env = dir, env
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range dirs {
		if errs[i] != nil {
			t.Fatalf("terraform apply in runner %d: %v\n%s", i, errs[i], outs[i])
		}
	}

	var stateIDs []string
	for _, dir := range dirs {
		cmd := exec.Command(tf, "output", "-json", "ids")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform output: %v", err)
		}
		var ids []string
		must(t, json.Unmarshal(out, &ids))
		stateIDs = append(stateIDs, ids...)
	}

	b, err := backend.Open(context.Background(), backend.Settings{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := client.New(client.Config{Handler: b.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var backendIDs []string
	for _, cert := range list {
		backendIDs = append(backendIDs, cert.ID)
	}
	sort.Strings(stateIDs)
	sort.Strings(backendIDs)
	if len(stateIDs) != 2*perProcess || strings.Join(stateIDs, ",") != strings.Join(backendIDs, ",") {
		t.Fatalf("state ids (%d) and backend ids (%d) differ:\nstate:   %v\nbackend: %v", len(stateIDs), len(backendIDs), stateIDs, backendIDs)
	}
	// Every key was sealed under the one master key both processes ended up with.
	for _, id := range backendIDs {
		got, err := c.GetCertificate(context.Background(), id)
		if err != nil || got.PrivateKeyPEM != leaf.KeyPEM(t, certstest.PKCS8) {
			t.Fatalf("certificate %s: key not readable back (%v)", id, err)
		}
	}
	info, err := os.Stat(filepath.Join(dataDir, "master.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("master.key: %v mode %v", err, info.Mode())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
