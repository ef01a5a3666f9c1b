// MoCo-v2, TaU-MoCo-v2, HIB and supervised cross-entropy against tests/reference/objectives_reference.py.

#include "core/data/batch_loader.h"
#include "core/models/contrastive_model.h"
#include "core/objectives/hib_loss.h"
#include "core/objectives/moco_loss.h"
#include "core/schema/experiment_config.h"
#include "core/training/objective.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

using namespace tau::core;
using nlohmann::json;

namespace {

using Tensors = std::map<std::string, torch::Tensor>;

struct ObjectiveCase
{
    std::string name;
    std::string kind;
    json params;
    Tensors inputs;
    std::vector<std::string> grad;
    std::function<torch::Tensor(const Tensors&)> loss;
};

json toJson(const torch::Tensor& t)
{
    const torch::Tensor flat = t.detach().to(torch::kDouble).contiguous().reshape(-1);
    return {{"shape", t.sizes().vec()}, {"data", std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel())}};
}

std::vector<double> flatValues(const torch::Tensor& t)
{
    const torch::Tensor flat = t.detach().to(torch::kDouble).contiguous().reshape(-1);
    return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

torch::Tensor randn(std::vector<int64_t> shape)
{
    return torch::randn(shape, torch::kDouble);
}

std::vector<ObjectiveCase> makeCases()
{
    torch::manual_seed(1234);
    std::vector<ObjectiveCase> cases;
    for (const int64_t n : {4, 9}) {
        const int64_t d = 8, k = 18;
        for (const bool tau : {false, true}) {
            ObjectiveCase c;
            c.name = std::string(tau ? "TaU-MoCo-v2" : "MoCo-v2") + " N=" + std::to_string(n);
            c.kind = "moco";
            c.params = {{"t", 0.1}};
            torch::Tensor query = randn({n, d});
            c.inputs = {{"query", query}, {"key", query + 0.3 * randn({n, d})},
                        {"queue", torch::nn::functional::normalize(randn({k, d}),
                                                                   torch::nn::functional::NormalizeFuncOptions().dim(1))}};
            c.grad = {"query"};
            if (tau) {
                c.inputs["query_r"] = 2.0 * randn({n});
                c.grad.push_back("query_r");
            }
            c.loss = [tau](const Tensors& in) {
                return mocoLoss(in.at("query"), in.at("key"), in.at("queue"), tau ? in.at("query_r") : torch::Tensor(), 0.1);
            };
            cases.push_back(c);
        }
        ObjectiveCase h;
        h.name = "HIB N=" + std::to_string(n);
        h.kind = "hib";
        h.params = {{"beta", 1e-2}};
        const int64_t samples = 4;
        torch::Tensor loc1 = randn({n, d});
        h.inputs = {{"loc1", loc1}, {"loc2", loc1 + 0.5 * randn({n, d})}, {"r1", randn({n})}, {"r2", randn({n})},
                    {"a", torch::full({}, 0.5, torch::kDouble)}, {"b", torch::full({}, 0.1, torch::kDouble)},
                    {"noise1", randn({n, samples, d})}, {"noise2", randn({n, samples, d})}};
        h.grad = {"loc1", "loc2", "r1", "r2", "a", "b"};
        h.loss = [](const Tensors& in) {
            return hibLoss(in.at("loc1"), in.at("r1"), in.at("loc2"), in.at("r2"), in.at("a"), in.at("b"), in.at("noise1"),
                           in.at("noise2"), 1e-2);
        };
        cases.push_back(h);

        ObjectiveCase s;
        s.name = "supervised N=" + std::to_string(n);
        s.kind = "supervised";
        s.inputs = {{"logits", 3.0 * randn({n, 10})}, {"labels", torch::randint(0, 10, {n}, torch::kDouble)}};
        s.grad = {"logits"};
        s.loss = [](const Tensors& in) {
            return torch::nn::functional::cross_entropy(in.at("logits"), in.at("labels").to(torch::kLong));
        };
        cases.push_back(s);
    }
    return cases;
}

double relativeError(const std::vector<double>& got, const std::vector<double>& want)
{
    double worst = 0, scale = 1e-12;
    for (size_t i = 0; i < want.size(); ++i) {
        worst = std::max(worst, std::abs(got[i] - want[i]));
        scale = std::max(scale, std::abs(want[i]));
    }
    return worst / scale;
}

} // namespace

class TestObjectives : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matchesPythonReference_data();
    void matchesPythonReference();
    void tauMocoWithCertainQueriesEqualsMoco();
    void queueIsFifoAndNormalised();
    void mocoKeyEncoderFollowsTheMomentumRule();
    void hibKlMatchesClosedForm();

private:
    std::vector<ObjectiveCase> m_cases;
    json m_reference;
};

void TestObjectives::initTestCase()
{
    m_cases = makeCases();
    json spec = {{"cases", json::array()}};
    for (const ObjectiveCase& c : m_cases) {
        json inputs;
        for (const auto& [name, tensor] : c.inputs) {
            inputs[name] = toJson(tensor);
        }
        spec["cases"].push_back({{"kind", c.kind}, {"params", c.params}, {"inputs", inputs}, {"grad", c.grad}});
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("in.json"), output = dir.filePath("out.json");
    std::ofstream(input.toStdString()) << spec.dump();
    const auto result = tau::test::runReferenceScript("objectives_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    m_reference = json::parse(tau::test::readFile(output).toStdString());
    QCOMPARE(m_reference.size(), m_cases.size());
}

void TestObjectives::matchesPythonReference_data()
{
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < m_cases.size(); ++i) {
        QTest::newRow(m_cases[i].name.c_str()) << int(i);
    }
}

void TestObjectives::matchesPythonReference()
{
    QFETCH(int, index);
    const ObjectiveCase& c = m_cases[size_t(index)];
    Tensors inputs;
    for (const auto& [name, tensor] : c.inputs) {
        const bool wantsGrad = std::find(c.grad.begin(), c.grad.end(), name) != c.grad.end();
        inputs[name] = tensor.clone().requires_grad_(wantsGrad);
    }
    const torch::Tensor loss = c.loss(inputs);
    loss.backward();
    const json& expected = m_reference[size_t(index)];
    const double want = expected["loss"].get<double>();
    QVERIFY2(std::abs(loss.item<double>() - want) <= 1e-5 * std::abs(want),
             qPrintable(QStringLiteral("loss %1 vs reference %2").arg(loss.item<double>(), 0, 'g', 12).arg(want, 0, 'g', 12)));
    for (const std::string& name : c.grad) {
        const torch::Tensor& input = inputs.at(name);
        const auto reference = expected["grads"][name].get<std::vector<double>>();
        const std::vector<double> got = input.grad().defined() ? flatValues(input.grad()) : std::vector<double>(reference.size());
        const double error = relativeError(got, reference);
        QVERIFY2(error <= 1e-5, qPrintable(QStringLiteral("d loss / d %1: relative error %2").arg(name.c_str()).arg(error)));
    }
}

void TestObjectives::tauMocoWithCertainQueriesEqualsMoco()
{
    torch::manual_seed(9);
    const torch::Tensor q = randn({6, 8}), k = randn({6, 8});
    const torch::Tensor queue = torch::nn::functional::normalize(randn({12, 8}), torch::nn::functional::NormalizeFuncOptions().dim(1));
    const double plain = mocoLoss(q, k, queue, torch::Tensor(), 0.2).item<double>();
    const double certain = mocoLoss(q, k, queue, torch::full({6}, 50.0, torch::kDouble), 0.2).item<double>();
    QVERIFY(std::abs(plain - certain) <= 1e-12 * std::abs(plain));
}

void TestObjectives::queueIsFifoAndNormalised()
{
    torch::manual_seed(2);
    KeyQueue queue(6, 4, torch::kCPU);
    QVERIFY(torch::allclose(queue.keys().norm(2, 1), torch::ones({6})));
    const torch::Tensor first = 3.0 * torch::randn({2, 4});
    const torch::Tensor second = torch::randn({2, 4});
    const torch::Tensor third = torch::randn({2, 4});
    const torch::Tensor fourth = torch::randn({2, 4});
    const auto normalised = [](const torch::Tensor& x) { return x / x.norm(2, 1, true); };
    queue.enqueue(first);
    QCOMPARE(queue.position(), int64_t(2));
    queue.enqueue(second);
    queue.enqueue(third);
    QCOMPARE(queue.position(), int64_t(0));
    QVERIFY(torch::allclose(queue.keys().slice(0, 0, 2), normalised(first)));
    // The fourth batch replaces the oldest one (the first), and only it.
    queue.enqueue(fourth);
    QVERIFY(torch::allclose(queue.keys().slice(0, 0, 2), normalised(fourth)));
    QVERIFY(torch::allclose(queue.keys().slice(0, 2, 4), normalised(second)));
    QVERIFY(torch::allclose(queue.keys().slice(0, 4, 6), normalised(third)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, queue.enqueue(torch::randn({4, 4})));
}

namespace {

std::vector<double> flatParameters(const std::vector<torch::Tensor>& parameters)
{
    std::vector<double> flat;
    for (const torch::Tensor& p : parameters) {
        const torch::Tensor c = p.detach().to(torch::kDouble).contiguous().view(-1);
        flat.insert(flat.end(), c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    return flat;
}

/** The key encoder and queue a MoCo objective keeps beside its model (what its checkpoint holds). */
std::pair<ContrastiveModel, torch::Tensor> keyEncoderOf(TrainingObjective& objective, const ModelConfig& model,
                                                        const ModelInput& input)
{
    torch::serialize::OutputArchive out;
    objective.saveExtras(out);
    std::ostringstream bytes;
    out.save_to(bytes);
    torch::serialize::InputArchive in;
    std::istringstream stream(bytes.str());
    in.load_from(stream);
    torch::serialize::InputArchive keyArchive;
    in.read("key_model", keyArchive);
    ContrastiveModel key(model, input);
    key->load(keyArchive);
    torch::Tensor queue;
    in.read("queue", queue);
    return {key, queue};
}

} // namespace

// The key encoder's momentum update, its m and 1 - m, and its order (before the keys of a batch are computed),
// against tests/reference/momentum_reference.py; then that the batch's loss used the updated key encoder.
void TestObjectives::mocoKeyEncoderFollowsTheMomentumRule()
{
    ExperimentConfig config;
    config.system = "mocov2";
    config.model.encoder = "small_cnn";
    config.model.outDim = 8;
    config.model.posteriorHead = false;
    config.loss.queueSize = 12;
    config.loss.momentum = 0.7; // far from 1, so that each update shows
    const ModelInput input{1, 28, 0};
    torch::manual_seed(3);
    std::unique_ptr<TrainingObjective> objective = makeObjective(config, input, torch::kCPU);
    objective->setTraining(false); // BatchNorm statistics stay put: only the momentum rule moves the key encoder
    torch::optim::SGD sgd(objective->parameters(), torch::optim::SGDOptions(0.5));
    std::vector<std::vector<double>> queries;
    TrainingBatch batch;
    torch::Tensor lastLoss, queueBefore;
    for (int step = 0; step < 4; ++step) {
        batch.view1 = torch::randn({4, 1, 28, 28});
        batch.view2 = torch::randn({4, 1, 28, 28});
        queries.push_back(flatParameters(objective->parameters()));
        queueBefore = keyEncoderOf(*objective, config.model, input).second;
        lastLoss = objective->loss(batch).loss;
        sgd.zero_grad();
        lastLoss.backward();
        sgd.step();
        objective->afterStep();
    }
    QTemporaryDir dir;
    const QString in = dir.filePath("in.json"), out = dir.filePath("out.json");
    std::ofstream(in.toStdString()) << json{{"momentum", config.loss.momentum}, {"queries", queries}}.dump();
    const auto result = tau::test::runReferenceScript("momentum_reference.py", {in, out});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const auto keys = json::parse(tau::test::readFile(out).toStdString()).get<std::vector<std::vector<double>>>();
    auto [key, queue] = keyEncoderOf(*objective, config.model, input);
    const std::vector<double> ours = flatParameters(key->parameters());
    QCOMPARE(ours.size(), keys.back().size());
    double worst = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
        worst = std::max(worst, std::abs(ours[i] - keys.back()[i]));
    }
    QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
    // The steps moved the query encoder, so the order of update and key forward matters for the last batch.
    QVERIFY(std::abs(keys[3][0] - keys[2][0]) > 1e-6 || std::abs(keys[3].back() - keys[2].back()) > 1e-6);
    torch::NoGradGuard noGrad;
    key->eval();
    ContrastiveModel query(config.model, input);
    const std::vector<torch::Tensor> queryParameters = query->parameters();
    size_t offset = 0;
    for (const torch::Tensor& p : queryParameters) {
        const std::vector<double> values(queries[3].begin() + long(offset), queries[3].begin() + long(offset + size_t(p.numel())));
        p.copy_(torch::tensor(values, torch::kDouble).view_as(p));
        offset += size_t(p.numel());
    }
    query->eval();
    const torch::Tensor expected = mocoLoss(query->forward(batch.view1).loc, key->forward(batch.view2).loc, queueBefore,
                                            torch::Tensor(), config.loss.t);
    QVERIFY2(std::abs(expected.item<double>() - lastLoss.item<double>()) < 1e-5,
             qPrintable(QStringLiteral("%1 vs %2").arg(expected.item<double>()).arg(lastLoss.item<double>())));
}

void TestObjectives::hibKlMatchesClosedForm()
{
    // KL(N(mu, s^2 I) || N(0, I)) summed over dimensions, computed here dimension by dimension.
    torch::manual_seed(4);
    const torch::Tensor loc = randn({5, 3});
    const torch::Tensor sigma = torch::rand({5}, torch::kDouble) + 0.2;
    const torch::Tensor kl = isotropicGaussianKl(loc, sigma);
    for (int64_t i = 0; i < 5; ++i) {
        double expected = 0;
        const double s = sigma[i].item<double>();
        for (int64_t j = 0; j < 3; ++j) {
            const double mu = loc[i][j].item<double>();
            expected += std::log(1.0 / s) + (s * s + mu * mu) / 2.0 - 0.5;
        }
        QVERIFY(std::abs(kl[i].item<double>() - expected) < 1e-12);
    }
}

QTEST_APPLESS_MAIN(TestObjectives)
#include "tst_objectives.moc"
