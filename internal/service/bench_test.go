package service_test

// Benchmarks of the certificate service, each beside its floor (issue 7). `make bench`
// runs them through tools/bench, which takes medians over several rounds and writes
// tools/bench/RESULTS.md; `make bench-smoke` runs each once with a small data set
// (SSL_BENCH_SMALL=1). Timings are never asserted.
//
//   - BenchmarkIssuance/<alg>/service: Order through the service, store commit
//     included (DNS_AUTO, automatic review: issued synchronously), against
//     BenchmarkIssuance/<alg>/floor: key generation + signing + encoding with
//     internal/ca alone.
//   - BenchmarkUpload/<kind>/service: Upload through the service (validation,
//     sealing, store commit); the validation itself is benchmarked against parsing
//     alone in internal/certs (BenchmarkCheckUpload).
//   - BenchmarkFilter and BenchmarkEvaluate: the ssl_certificates data source's
//     query and the alarm evaluation over 100 000 stored certificates (SQLite).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/ca"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/clock"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// benchOpen opens a fresh embedded backend (SQLite in a temp dir, WAL) with automatic
// validation and review, as the provider's embedded mode does by default.
func benchOpen(b *testing.B, dir string, clk clock.Clock) *backend.Backend {
	b.Helper()
	if dir == "" {
		dir = b.TempDir()
	}
	be, err := backend.Open(context.Background(), backend.Settings{DataDir: dir, Clock: clk,
		Service: backend.ServiceSettings{ReviewPolicy: service.ReviewAuto, Validation: service.ValidationAuto}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	return be
}

// benchIdemKey is a fresh Idempotency-Key, as the client sends with every mutation.
func benchIdemKey() string {
	k := make([]byte, 16)
	_, _ = rand.Read(k)
	return hex.EncodeToString(k)
}

// benchIssuance lists the issuance cases: a brand that issues the algorithm, DV.
var benchIssuance = []struct {
	alg   string
	size  int
	brand string
}{
	{ca.AlgorithmECC, 256, ca.BrandTrustAsia},
	{ca.AlgorithmRSA, 2048, ca.BrandTrustAsia},
	{ca.AlgorithmSM2, 256, ca.BrandDNSPod},
}

func BenchmarkIssuance(b *testing.B) {
	ctx := context.Background()
	for _, tc := range benchIssuance {
		b.Run(tc.alg+"/service", func(b *testing.B) {
			svc := benchOpen(b, "", nil).Service
			order := func(i int) {
				_, err := svc.Order(ctx, benchIdemKey(), service.OrderInput{
					Name: "bench", Domain: fmt.Sprintf("h%d.bench.example.com", i), Brand: tc.brand,
					CertificateType: "DV", KeyAlgorithm: tc.alg, KeySize: tc.size, ValidationMethod: service.MethodDNSAuto,
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			order(-1) // creates and persists the brand's CA, once per data dir
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				order(i)
				i++
			}
		})
		b.Run(tc.alg+"/floor", func(b *testing.B) {
			h, err := ca.NewHierarchy(tc.brand, tc.alg, time.Now(), rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				benchMintFloor(b, h, tc.alg, tc.size, i)
				i++
			}
		})
	}
}

// benchMintFloor is the floor of one issuance: the key, its PKCS#8 PEM, the signed
// certificate in PEM (for SM2 the signature + encryption pair and the second key, as
// the service issues them).
func benchMintFloor(b *testing.B, h *ca.Hierarchy, alg string, size, i int) {
	key, err := ca.GenerateKey(alg, size)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ca.MarshalPrivateKeyPEM(key, ""); err != nil {
		b.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	req := ca.LeafRequest{PublicKey: key, CommonName: fmt.Sprintf("h%d.bench.example.com", i),
		DNSNames: []string{fmt.Sprintf("h%d.bench.example.com", i)}, ValidationLevel: ca.LevelDV,
		NotBefore: now, NotAfter: now.Add(365 * 24 * time.Hour), PublicURL: service.DefaultPublicURL}
	if alg == ca.AlgorithmSM2 {
		pair, err := h.IssueSM2Pair(ca.SM2PairRequest{LeafRequest: req})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ca.MarshalPrivateKeyPEM(pair.EncryptionKey, ""); err != nil {
			b.Fatal(err)
		}
		return
	}
	if _, err := h.Issue(req); err != nil {
		b.Fatal(err)
	}
}

// benchUploadMaterial makes the upload bundles: an RSA and an ECDSA chain (leaf,
// intermediate, root) with the leaf's PKCS#8 key, and an SM2 signature chain with
// its encryption certificate and key.
func benchUploadMaterial(b *testing.B) map[string]certs.UploadInput {
	out := map[string]certs.UploadInput{}
	for _, alg := range []string{certstest.RSA, certstest.ECC} {
		root := certstest.NewCA(b, alg)
		leaf := root.Intermediate(b, certstest.CAOptions{}).Leaf(b, certstest.LeafOptions{CommonName: "www.example.com",
			DNSNames: []string{"www.example.com", "example.com"}})
		out["international-"+alg] = certs.UploadInput{Standard: certs.StandardInternational,
			CertificatePEM: leaf.FullChainPEM(), PrivateKeyPEM: leaf.KeyPEM(b, certstest.PKCS8)}
	}
	root := certstest.NewCA(b, certstest.SM2)
	sign, enc := root.Intermediate(b, certstest.CAOptions{}).SM2Pair(b, certstest.LeafOptions{CommonName: "www.example.cn"}, false)
	out["sm2"] = certs.UploadInput{Standard: certs.StandardSM2, CertificatePEM: sign.FullChainPEM(),
		PrivateKeyPEM: sign.KeyPEM(b, certstest.PKCS8), EncryptionCertificatePEM: enc.CertPEM,
		EncryptionPrivateKeyPEM: enc.KeyPEM(b, certstest.PKCS8)}
	return out
}

func BenchmarkUpload(b *testing.B) {
	ctx := context.Background()
	material := benchUploadMaterial(b)
	for _, kind := range []string{"international-RSA", "international-ECC", "sm2"} {
		b.Run(kind+"/service", func(b *testing.B) {
			svc := benchOpen(b, "", nil).Service
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := svc.Upload(ctx, benchIdemKey(), service.UploadInput{Name: "bench", Material: material[kind]}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// --- the large inventory: 100 000 certificates in SQLite ---------------------------

// benchNow is the service clock of the inventory benchmarks: every not_after is
// placed around it.
var benchNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	benchProjects = 20   // alarm policies: one per project, 30 days
	benchTeams    = 1000 // domains: h<i>.team<i%1000>.example.com, one wildcard per 10
)

// benchInventorySize is 100 000, or 1 000 with SSL_BENCH_SMALL=1 (bench-smoke).
func benchInventorySize() int {
	if os.Getenv("SSL_BENCH_SMALL") == "1" {
		return 1000
	}
	if n, err := strconv.Atoi(os.Getenv("SSL_BENCH_CERTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var benchGolden struct {
	once sync.Once
	dir  string
	err  error
}

// benchInventory returns a data dir holding a private copy of the inventory
// database: built once per process, or once per `make bench` when SSL_BENCH_CACHE
// names a directory (tools/bench sets it), then copied for each benchmark so that
// Evaluate's writes never leak into another benchmark.
func benchInventory(b *testing.B) string {
	b.Helper()
	n := benchInventorySize()
	benchGolden.once.Do(func() {
		dir := os.Getenv("SSL_BENCH_CACHE")
		if dir == "" {
			tmp, err := os.MkdirTemp("", "ssl-bench-inventory-")
			if err != nil {
				benchGolden.err = err
				return
			}
			dir = tmp // left for the OS to clean: a process cannot know its last benchmark
		}
		dir = filepath.Join(dir, fmt.Sprintf("inventory-%d", n))
		benchGolden.dir = dir
		if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
			return
		}
		start := time.Now()
		benchGolden.err = benchBuildInventory(b, dir, n)
		if benchGolden.err == nil {
			b.Logf("built the inventory of %d certificates in %s", n, time.Since(start).Round(time.Millisecond))
		}
	})
	if benchGolden.err != nil {
		b.Fatal(benchGolden.err)
	}
	dst := b.TempDir()
	for _, f := range []string{backend.DatabaseFile, "master.key"} {
		if err := benchCopyFile(filepath.Join(benchGolden.dir, f), filepath.Join(dst, f)); err != nil {
			b.Fatal(err)
		}
	}
	return dst
}

func benchCopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// benchBuildInventory writes n certificate records into a new database in dir. The
// records are clones of a few really issued ones (so rows have realistic sizes: PEMs,
// order spec, sealed key), each with its own id, project, names, tags and not_after,
// bulk-inserted through store Update in transactions of 5 000. Not_after is spread
// evenly over [now − 30 days, now + 365 days]; 70 % are issued, 30 % uploaded; 2 %
// revoked; 1 % ignore expiry notifications. Then one alarm policy per project
// (30 days, e-mail) and two that name 50 certificates each.
func benchBuildInventory(b *testing.B, dir string, n int) error {
	ctx := context.Background()
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	be, err := backend.Open(ctx, backend.Settings{DataDir: dir, Clock: clock.NewFake(benchNow),
		Service: backend.ServiceSettings{ReviewPolicy: service.ReviewAuto, Validation: service.ValidationAuto}})
	if err != nil {
		return err
	}
	defer be.Close()
	svc, st := be.Service, be.Store

	var templates []*store.Certificate
	for _, alg := range []string{ca.AlgorithmECC, ca.AlgorithmECC, ca.AlgorithmECC, ca.AlgorithmRSA} {
		c, err := svc.Order(ctx, "", service.OrderInput{Name: "template", Domain: "template.example.com",
			SANs: []string{"www.template.example.com"}, Brand: ca.BrandTrustAsia, CertificateType: "DV",
			KeyAlgorithm: alg, ValidationMethod: service.MethodDNSAuto, Tags: map[string]string{"team": "t"}})
		if err != nil {
			return err
		}
		rec, err := st.GetCertificate(ctx, c.ID)
		if err != nil {
			return err
		}
		templates = append(templates, rec)
	}
	// The templates go: the inventory is exactly n clones.
	if err := st.Update(ctx, func(tx store.Tx) error {
		for _, t := range templates {
			if err := tx.DeleteCertificate(ctx, t.ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}

	rng := mrand.New(mrand.NewPCG(7, 7))
	span := int64((365 + 30) * 24 * time.Hour / time.Minute)
	const batch = 5000
	for start := 0; start < n; start += batch {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				rec := *templates[i%len(templates)]
				team := i % benchTeams
				rec.ID = fmt.Sprintf("cert-bench%07d", i)
				rec.Project = fmt.Sprintf("proj-%02d", i%benchProjects)
				rec.Name = fmt.Sprintf("svc-%d", i)
				if (i/benchTeams)%10 == 0 {
					rec.Domain = fmt.Sprintf("*.team%d.example.com", team)
					rec.SANs = []string{rec.Domain, fmt.Sprintf("team%d.example.com", team)}
				} else {
					rec.Domain = fmt.Sprintf("h%d.team%d.example.com", i, team)
					rec.SANs = []string{rec.Domain, fmt.Sprintf("alt%d.team%d.example.com", i, team)}
				}
				rec.Tags = map[string]string{"team": fmt.Sprintf("t%d", team), "env": []string{"prod", "dev", "staging"}[i%3]}
				rec.NotAfter = benchNow.Add(time.Duration(rng.Int64N(span))*time.Minute - 30*24*time.Hour).Truncate(time.Second)
				rec.NotBefore = rec.NotAfter.Add(-365 * 24 * time.Hour)
				rec.CreatedAt = benchNow.Add(-time.Duration(n-i) * time.Minute)
				rec.UpdatedAt = rec.CreatedAt
				rec.SerialNumber = fmt.Sprintf("%040x", i+1)
				rec.IgnoreNotifications = i%100 == 1
				if i%10 < 3 {
					rec.Source, rec.Spec = service.SourceUploaded, ""
				}
				if i%50 == 2 {
					rec.Status = service.StatusRevoked
				}
				if err := tx.InsertCertificate(ctx, &rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	for p := range benchProjects {
		if _, err := svc.CreateAlarm(ctx, "", benchAlarm(fmt.Sprintf("proj-%02d", p), nil)); err != nil {
			return err
		}
	}
	for k := range 2 {
		var ids []string
		for i := k; i < n && len(ids) < 50; i += benchProjects * 7 {
			ids = append(ids, fmt.Sprintf("cert-bench%07d", i-i%benchProjects)) // all in proj-00
		}
		if _, err := svc.CreateAlarm(ctx, "", benchAlarm("proj-00", ids)); err != nil {
			return err
		}
	}
	if err := be.Close(); err != nil { // checkpoints the WAL into ssl.db
		return err
	}
	return os.WriteFile(filepath.Join(dir, "complete"), []byte(strconv.Itoa(n)+"\n"), 0o600)
}

func benchAlarm(project string, ids []string) service.AlarmInput {
	return service.AlarmInput{Name: "expiry " + project, Project: project, CertificateIDs: ids,
		DaysBeforeExpiry: 30, RepeatInterval: service.RepeatOnce, Channels: []string{service.ChannelEmail},
		Recipients: []store.Recipient{{Name: "ops", Email: "ops@example.com"}}, Enabled: true}
}

// BenchmarkFilter is the ssl_certificates data source's query through the service:
// domain (exact SAN or the wildcard one label up) and expiring_within_days = 30,
// over the whole inventory; each iteration asks for another team's host. The
// variants without one of the two filters show what each costs alone.
func BenchmarkFilter(b *testing.B) {
	ctx := context.Background()
	n := benchInventorySize()
	dir := benchInventory(b)
	svc := benchOpen(b, dir, clock.NewFake(benchNow)).Service
	days := 30
	for _, tc := range []struct {
		name     string
		domain   bool
		expiring bool
	}{{"domain+expiring", true, true}, {"domain", true, false}, {"expiring", false, true}} {
		b.Run(fmt.Sprintf("certs=%d/%s", n, tc.name), func(b *testing.B) {
			b.ReportAllocs()
			i, rows := 0, 0
			for b.Loop() {
				f := service.Filter{}
				if tc.domain {
					host := (i*7919 + 11) % n
					f.Domain = fmt.Sprintf("h%d.team%d.example.com", host, host%benchTeams)
				}
				if tc.expiring {
					f.ExpiringWithinDays = &days
				}
				list, err := svc.List(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				rows += len(list)
				i++
			}
			b.ReportMetric(float64(rows)/float64(i), "rows/op")
		})
	}
}

// BenchmarkEvaluate is the alarm evaluation (A3) over the inventory.
//   - steady: what every run of `evaluate` does once the firing certificates have
//     been notified (the first evaluation happens before the timer).
//   - refire-all: every candidate fires again in each iteration (repeat_interval
//     1m, clock +1m): one outbox row and one firing record per candidate, as a first
//     evaluation over a freshly imported inventory writes.
func BenchmarkEvaluate(b *testing.B) {
	ctx := context.Background()
	n := benchInventorySize()
	b.Run(fmt.Sprintf("certs=%d/steady", n), func(b *testing.B) {
		svc := benchOpen(b, benchInventory(b), clock.NewFake(benchNow)).Service
		first, err := svc.Evaluate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Evaluate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(first), "first-rows")
	})
	b.Run(fmt.Sprintf("certs=%d/refire-all", n), func(b *testing.B) {
		clk := clock.NewFake(benchNow)
		be := benchOpen(b, benchInventory(b), clk)
		policies, err := be.Store.ListAlarmPolicies(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range policies {
			in := benchAlarm(p.Project, p.CertificateIDs)
			in.Name, in.RepeatInterval = p.Name, "1m"
			if _, err := be.Service.UpdateAlarm(ctx, p.ID, in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		written, i := 0, 0
		for b.Loop() {
			clk.Advance(time.Minute)
			w, err := be.Service.Evaluate(ctx)
			if err != nil {
				b.Fatal(err)
			}
			written += w
			i++
		}
		b.ReportMetric(float64(written)/float64(i), "rows/op")
	})
}
