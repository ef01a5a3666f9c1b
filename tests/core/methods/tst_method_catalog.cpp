// The method catalogue: every system and score described once, and the rules that read it (config validation,
// objective construction, which scores fit a run and which are on by default).

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/evaluation/scores/score_functions.h"
#include "core/methods/score_catalog.h"
#include "core/methods/system_catalog.h"
#include "core/models/contrastive_model.h"
#include "core/training/objective.h"

#include <QtTest>

#include <torch/torch.h>

using namespace tau::core;

namespace {

ExperimentConfig configOf(const std::string& system, bool mcDropout = false)
{
    ExperimentConfig config;
    config.system = system;
    config.model.mcDropout = mcDropout;
    return config;
}

bool fits(const std::string& score, const std::string& system, bool mcDropout = false, size_t members = 0)
{
    return whyScoreDoesNotFit(score, configOf(system, mcDropout), members).empty();
}

} // namespace

class TestMethodCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void configChoicesAreTheCatalogue();
    void everyTrainableSystemBuildsItsObjective();
    void everyScoreHasOneKindOfFunction();
    void scoresFitTheMethodsThatGiveThem();
    void defaultsAreTheSystemsOwnThatFit();
    void unknownNamesListTheKnownOnes();
};

void TestMethodCatalog::configChoicesAreTheCatalogue()
{
    QCOMPARE(configChoices("system"), systemNames());
    for (const SystemInfo& system : systemCatalog()) {
        QVERIFY2(!system.title.empty() && !system.summary.empty(), system.name.c_str());
        QVERIFY2((objectiveFactories().count(system.name) == 0) == !system.notTrainable.empty(), system.name.c_str());
        for (const std::string& score : system.defaultScores) {
            QVERIFY2(!scoreInfo(score).name.empty(), score.c_str()); // every default is a known score
        }
    }
    // A rule of a row, as config validation applies it: a TaU system needs the extra head output r.
    ConfigLoadOptions options;
    options.overrides = {"system=tau_mocov2", "model.posterior_head=false"};
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("{}", "inline", options));
    options.overrides = {"system=mocov2", "model.posterior_head=false", "loss.k=100", "optimizer.batch_size=64"};
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("{}", "inline", options)); // the queue must tile
}

/** Each catalogue row has its functions on the evaluation floor, of exactly one kind, and no function lacks a row. */
void TestMethodCatalog::everyScoreHasOneKindOfFunction()
{
    for (const ScoreInfo& score : scoreCatalog()) {
        const ScoreFunctions& functions = scoreFunctionsOf(score.name);
        QVERIFY2((functions.perBatch != nullptr) != (functions.againstReference != nullptr), score.name.c_str());
        QVERIFY2(functions.needsTrainFeatures == nullptr || functions.againstReference != nullptr, score.name.c_str());
    }
    QCOMPARE(scoreFunctions().size(), scoreCatalog().size());
    QVERIFY(scoreFunctionsOf("knn").againstReference != nullptr && scoreFunctionsOf("tau").perBatch != nullptr);
}

void TestMethodCatalog::everyTrainableSystemBuildsItsObjective()
{
    for (const SystemInfo& system : systemCatalog()) {
        if (objectiveFactories().count(system.name) == 0 || system.needsFrozenEncoder) {
            continue; // post-hoc TaU needs a trained encoder: tst_trainer covers it
        }
        ExperimentConfig config = configOf(system.name);
        config.loss.queueSize = 64;
        const ModelInput input{1, 28, system.classifier ? 10 : 0};
        const std::unique_ptr<TrainingObjective> objective = makeObjective(config, input, torch::kCPU);
        objective->setTraining(false);
        torch::NoGradGuard noGrad;
        const ModelOutput out = objective->infer(torch::zeros({2, 1, 28, 28}));
        QCOMPARE(out.loc.size(1), int64_t(system.classifier ? 10 : config.model.outDim));
        if (!system.classifier) {
            QVERIFY2(out.rawR.defined(), system.name.c_str()); // the posterior head is on by default
        }
    }
    QVERIFY_THROWS_EXCEPTION(TauError, makeObjective(configOf("linear_eval"), ModelInput{}, torch::kCPU));
}

void TestMethodCatalog::scoresFitTheMethodsThatGiveThem()
{
    QVERIFY(fits("tau", "tau_simclr") && fits("tau", "tau_mocov2") && fits("tau", "posthoc_tau") &&
            fits("tau", "tau_simclr_oe"));
    // c fused with the density needs a c.
    QVERIFY(fits("tau_mahalanobis", "tau_simclr_oe") && fits("tau_mahalanobis", "tau_mocov2") &&
            !fits("tau_mahalanobis", "simclr") && !fits("tau_mahalanobis", "hib"));
    QVERIFY(!fits("tau", "simclr") && !fits("tau_repo", "hib"));
    QVERIFY(fits("hib", "hib") && !fits("hib", "tau_simclr"));
    for (const char* score : {"msp", "odin", "energy"}) {
        QVERIFY(fits(score, "supervised") && !fits(score, "simclr"));
    }
    QVERIFY(!fits("mc_dropout", "simclr") && fits("mc_dropout", "simclr", /*mcDropout=*/true));
    QVERIFY(!fits("ensemble", "simclr") && fits("ensemble", "simclr", false, 2));
    for (const SystemInfo& system : systemCatalog()) {
        QVERIFY(fits("knn", system.name) && fits("mahalanobis", system.name));
    }
    QVERIFY(QString::fromStdString(whyScoreDoesNotFit("msp", configOf("tau_simclr"))).contains("needs a supervised model"));
    // Every score some single run can give is offered; ensemble needs members.
    std::vector<std::string> offered = scoreNames();
    offered.erase(std::find(offered.begin(), offered.end(), "ensemble"));
    QCOMPARE(singleModelScores(), offered);
}

void TestMethodCatalog::defaultsAreTheSystemsOwnThatFit()
{
    QCOMPARE(defaultScores(configOf("tau_simclr")), (std::vector<std::string>{"tau", "tau_mahalanobis", "knn"}));
    QCOMPARE(defaultScores(configOf("tau_simclr_oe")), (std::vector<std::string>{"tau", "tau_mahalanobis", "knn"}));
    QVERIFY(systemInfo("tau_simclr_oe").trainsWithOutliers && !systemInfo("tau_simclr").trainsWithOutliers);
    // Every score says what it costs per image (the results table's last column).
    for (const ScoreInfo& score : scoreCatalog()) {
        QVERIFY2(!score.cost.empty(), score.name.c_str());
    }
    QCOMPARE(scoreInfo("tau").cost, std::string("1 pass"));
    QCOMPARE(defaultScores(configOf("simclr")), (std::vector<std::string>{"knn"}));
    QCOMPARE(defaultScores(configOf("simclr", true)), (std::vector<std::string>{"mc_dropout", "knn"}));
    QCOMPARE(defaultScores(configOf("supervised")), (std::vector<std::string>{"msp", "energy"}));
    QCOMPARE(applicableScores(configOf("hib")), (std::vector<std::string>{"knn", "mahalanobis", "hib"}));
}

void TestMethodCatalog::unknownNamesListTheKnownOnes()
{
    try {
        scoreInfo("taus");
        QFAIL("an unknown score was found");
    } catch (const TauError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains("known: tau, tau_repo"), error.what());
    }
    QVERIFY_THROWS_EXCEPTION(TauError, systemInfo("simclr2"));
}

QTEST_APPLESS_MAIN(TestMethodCatalog)
#include "tst_method_catalog.moc"
