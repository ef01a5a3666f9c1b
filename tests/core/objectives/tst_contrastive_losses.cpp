#include "core/objectives/contrastive_losses.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <map>

using namespace tau::core;
using nlohmann::json;

namespace {

struct LossCase
{
    std::string kind; // "tau" or "ntxent"
    double t;
    double eps;
    bool simclrMask;
    bool firstView;
};

const std::vector<LossCase> kCases = {
    {"tau", 0.1, 1e-6, false, false}, {"tau", 0.1, 1e-6, true, false}, {"tau", 0.1, 1e-6, false, true},
    {"tau", 0.1, 1e-6, true, true},   {"tau", 0.5, 0.0, false, false}, {"tau", 0.07, 1e-3, true, false},
    {"ntxent", 0.1, 1e-6, false, false}, {"ntxent", 0.5, 0.0, false, false},
};

struct Inputs
{
    torch::Tensor loc1, loc2, r1, r2;
};

const std::vector<int64_t> kBatchSizes = {3, 8, 16};

Inputs randomInputs(torch::Dtype dtype, int64_t n = 8, int64_t d = 16)
{
    torch::manual_seed(20211008 + uint64_t(n));
    const auto options = torch::TensorOptions().dtype(torch::kDouble);
    Inputs in{torch::randn({n, d}, options), torch::randn({n, d}, options), 2.0 * torch::randn({n}, options),
              2.0 * torch::randn({n}, options)};
    // Make the views related, as real positives are, so the loss is not near log(2n) everywhere.
    in.loc2 = in.loc2 * 0.5 + in.loc1;
    for (torch::Tensor* t : {&in.loc1, &in.loc2, &in.r1, &in.r2}) {
        *t = t->to(dtype).requires_grad_(true);
    }
    return in;
}

std::vector<double> flat(const torch::Tensor& t)
{
    const torch::Tensor c = t.detach().to(torch::kDouble).contiguous().reshape(-1);
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

ContrastiveLossOptions optionsOf(const LossCase& c)
{
    ContrastiveLossOptions options;
    options.t = c.t;
    options.eps = c.eps;
    options.simclrMask = c.simclrMask;
    options.firstViewNumerator = c.firstView;
    return options;
}

torch::Tensor lossOf(const LossCase& c, const Inputs& in)
{
    return c.kind == "ntxent" ? ntXentLoss(in.loc1, in.loc2, optionsOf(c))
                              : tauSimclrLoss(in.loc1, in.r1, in.loc2, in.r2, optionsOf(c));
}

/** max_i |a_i - b_i| / (max_i |b_i| + tiny): relative to the vector's scale, so tiny entries cannot dominate. */
double relativeError(const std::vector<double>& a, const std::vector<double>& b)
{
    double worst = 0, scale = 1e-12;
    for (size_t i = 0; i < b.size(); ++i) {
        worst = std::max(worst, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return worst / scale;
}

/** The inputs' gradients against the reference's, each within @p tolerance (relative to its vector's scale). */
void checkGradients(const Inputs& in, const json& expected, double tolerance)
{
    const std::vector<std::pair<const char*, const torch::Tensor*>> gradients = {
        {"grad_loc1", &in.loc1}, {"grad_loc2", &in.loc2}, {"grad_r1", &in.r1}, {"grad_r2", &in.r2}};
    for (const auto& [name, tensor] : gradients) {
        const std::vector<double> want = expected[name].get<std::vector<double>>();
        const std::vector<double> got = tensor->grad().defined() ? flat(tensor->grad()) : std::vector<double>(want.size());
        const double error = relativeError(got, want);
        QVERIFY2(error <= tolerance, qPrintable(QStringLiteral("%1: relative error %2").arg(name).arg(error)));
    }
}

} // namespace

class TestContrastiveLosses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matchesPythonReference_data();
    void matchesPythonReference();
    void shardsAverageToTheReference_data();
    void shardsAverageToTheReference();
    void shardOfAnotherSizeIsRefused();
    void float32MatchesReferenceLoss();
    void certainTauWithSimclrMaskEqualsNtXent();
    void gradientPushesEasyAnchorsToCertainty();
    void staysFiniteForTinyTemperature();
    void rejectsMismatchedShapes();

private:
    std::map<int64_t, json> m_reference;
};

void TestContrastiveLosses::initTestCase()
{
    QTemporaryDir dir;
    for (const int64_t n : kBatchSizes) {
        const Inputs in = randomInputs(torch::kDouble, n);
        json spec = {{"n", in.loc1.size(0)}, {"d", in.loc1.size(1)}, {"loc1", flat(in.loc1)}, {"loc2", flat(in.loc2)},
                     {"r1", flat(in.r1)},    {"r2", flat(in.r2)},    {"cases", json::array()}};
        for (const LossCase& c : kCases) {
            spec["cases"].push_back({{"kind", c.kind}, {"t", c.t}, {"eps", c.eps}, {"simclr_mask", c.simclrMask},
                                     {"first_view", c.firstView}});
        }
        const QString input = dir.filePath(QStringLiteral("inputs%1.json").arg(n));
        const QString output = dir.filePath(QStringLiteral("reference%1.json").arg(n));
        std::ofstream(input.toStdString()) << spec.dump();
        const auto result = tau::test::runReferenceScript("contrastive_losses_reference.py", {input, output});
        QVERIFY2(result.exitCode == 0, result.standardError.constData());
        m_reference[n] = json::parse(tau::test::readFile(output).toStdString());
        QCOMPARE(m_reference[n].size(), kCases.size());
    }
}

void TestContrastiveLosses::matchesPythonReference_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("batch");
    for (const int64_t n : kBatchSizes)
    for (size_t i = 0; i < kCases.size(); ++i) {
        const LossCase& c = kCases[i];
        const QString name = QStringLiteral("N=%6 %1 t=%2 eps=%3 mask=%4 numerator=%5")
                                 .arg(QString::fromStdString(c.kind))
                                 .arg(c.t)
                                 .arg(c.eps)
                                 .arg(c.simclrMask)
                                 .arg(c.firstView ? "first_view" : "anchor")
                                 .arg(n);
        QTest::newRow(qPrintable(name)) << int(i) << int(n);
    }
}

void TestContrastiveLosses::matchesPythonReference()
{
    QFETCH(int, index);
    QFETCH(int, batch);
    const LossCase& c = kCases[size_t(index)];
    const Inputs in = randomInputs(torch::kDouble, batch);
    const torch::Tensor loss = lossOf(c, in);
    loss.backward();
    const json& expected = m_reference[batch][size_t(index)];

    const double reference = expected["loss"].get<double>();
    QVERIFY2(std::abs(loss.item<double>() - reference) <= 1e-5 * std::abs(reference),
             qPrintable(QStringLiteral("loss %1 vs reference %2").arg(loss.item<double>(), 0, 'g', 12).arg(reference, 0, 'g', 12)));
    checkGradients(in, expected, 1e-5);
}

void TestContrastiveLosses::shardsAverageToTheReference_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("shards");
    for (const int shards : {2, 4, 8})
    for (size_t i = 0; i < kCases.size(); ++i) {
        QTest::newRow(qPrintable(QStringLiteral("case %1, %2 shards").arg(i).arg(shards))) << int(i) << shards;
    }
}

// A data-parallel rank computes only its own anchors' rows: the mean of the shards' losses, and its gradients, are
// the whole batch's as the independent Python reference computes them (N = 16 pairs).
void TestContrastiveLosses::shardsAverageToTheReference()
{
    QFETCH(int, index);
    QFETCH(int, shards);
    const LossCase& c = kCases[size_t(index)];
    const Inputs in = randomInputs(torch::kDouble, 16);
    torch::Tensor mean = torch::zeros({}, torch::kDouble);
    for (int64_t rank = 0; rank < shards; ++rank) {
        const AnchorShard shard{rank, shards};
        mean = mean + (c.kind == "ntxent" ? ntXentLoss(in.loc1, in.loc2, optionsOf(c), shard)
                                          : tauSimclrLoss(in.loc1, in.r1, in.loc2, in.r2, optionsOf(c), shard)) /
                          double(shards);
    }
    mean.backward();
    const json& expected = m_reference[16][size_t(index)];
    const double reference = expected["loss"].get<double>();
    QVERIFY2(std::abs(mean.item<double>() - reference) <= 1e-10 * std::abs(reference),
             qPrintable(QStringLiteral("loss %1 vs %2").arg(mean.item<double>(), 0, 'g', 15).arg(reference, 0, 'g', 15)));
    checkGradients(in, expected, 1e-10);
}

void TestContrastiveLosses::shardOfAnotherSizeIsRefused()
{
    const Inputs in = randomInputs(torch::kDouble, 8);
    QVERIFY_THROWS_EXCEPTION(c10::Error, ntXentLoss(in.loc1, in.loc2, ContrastiveLossOptions{}, AnchorShard{0, 3}));
    QVERIFY_THROWS_EXCEPTION(c10::Error, ntXentLoss(in.loc1, in.loc2, ContrastiveLossOptions{}, AnchorShard{2, 2}));
}

void TestContrastiveLosses::float32MatchesReferenceLoss()
{
    const Inputs in = randomInputs(torch::kFloat);
    for (size_t i = 0; i < kCases.size(); ++i) {
        const double reference = m_reference[8][i]["loss"].get<double>();
        const double value = lossOf(kCases[i], in).item<double>();
        QVERIFY2(std::abs(value - reference) <= 1e-5 * std::abs(reference),
                 qPrintable(QStringLiteral("case %1: %2 vs %3").arg(i).arg(value, 0, 'g', 10).arg(reference, 0, 'g', 10)));
    }
}

void TestContrastiveLosses::certainTauWithSimclrMaskEqualsNtXent()
{
    // With r = +50, c = 1 in double precision, and TaU-SimCLR with simclr_mask reduces to NT-Xent exactly.
    Inputs in = randomInputs(torch::kDouble);
    const torch::Tensor certain = torch::full({in.loc1.size(0)}, 50.0, torch::kDouble);
    ContrastiveLossOptions options;
    options.simclrMask = true;
    const double tau = tauSimclrLoss(in.loc1, certain, in.loc2, certain, options).item<double>();
    const double ntxent = ntXentLoss(in.loc1, in.loc2, options).item<double>();
    QVERIFY2(std::abs(tau - ntxent) <= 1e-12 * std::abs(ntxent), qPrintable(QString::number(tau - ntxent)));
}

void TestContrastiveLosses::gradientPushesEasyAnchorsToCertainty()
{
    // An anchor whose positive is far closer than its negatives should be pushed towards c -> 1 (dL/dr < 0);
    // one whose positive is no closer than the negatives towards c -> 0 (dL/dr > 0). the README's "What it trains".
    torch::manual_seed(3);
    const int64_t n = 6, d = 8;
    torch::Tensor loc1 = torch::randn({n, d}, torch::kDouble);
    torch::Tensor loc2 = loc1.clone();
    loc2[0] = -loc1[0]; // pair 0: the two views point in opposite directions, a hard positive
    torch::Tensor r1 = torch::zeros({n}, torch::kDouble).requires_grad_(true);
    torch::Tensor r2 = torch::zeros({n}, torch::kDouble).requires_grad_(true);
    tauSimclrLoss(loc1, r1, loc2, r2, ContrastiveLossOptions{}).backward();
    QVERIFY2(r1.grad()[0].item<double>() > 0, "the hard anchor should be pushed towards uncertainty");
    for (int64_t i = 1; i < n; ++i) {
        QVERIFY2(r1.grad()[i].item<double>() < 0, "easy anchors should be pushed towards certainty");
    }
}

void TestContrastiveLosses::staysFiniteForTinyTemperature()
{
    // exp(1/t) overflows float32 for t = 0.01; the log-space form must not.
    const Inputs in = randomInputs(torch::kFloat);
    ContrastiveLossOptions options;
    options.t = 0.01;
    const torch::Tensor loss = tauSimclrLoss(in.loc1, in.r1 + 20.0, in.loc2, in.r2 + 20.0, options);
    QVERIFY(std::isfinite(loss.item<double>()));
    loss.backward();
    QVERIFY(torch::isfinite(in.loc1.grad()).all().item<bool>());
}

void TestContrastiveLosses::rejectsMismatchedShapes()
{
    const torch::Tensor a = torch::randn({4, 8});
    const torch::Tensor b = torch::randn({5, 8});
    QVERIFY_THROWS_EXCEPTION(c10::Error, ntXentLoss(a, b, ContrastiveLossOptions{}));
    QVERIFY_THROWS_EXCEPTION(c10::Error,
                             tauSimclrLoss(a, torch::zeros({3}), a, torch::zeros({4}), ContrastiveLossOptions{}));
}

QTEST_APPLESS_MAIN(TestContrastiveLosses)
#include "tst_contrastive_losses.moc"
