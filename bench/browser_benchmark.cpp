// How the certainty browser copes with 60,000 images (Fashion-MNIST's training split): time to load the set
// and sort it, to filter a class, and to repaint while scrolling page by page. Prints JSON (./tau bench).
#include "widgets/browser/certainty_browser.h"
#include "widgets/browser/certainty_models.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <random>

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    constexpr int kImages = 60000;
    auto set = std::make_shared<tau::widgets::ThumbnailSet>();
    set->name = QStringLiteral("fashion_mnist (synthetic pixels)");
    set->height = set->width = 28;
    set->pixels.resize(qsizetype(kImages) * 28 * 28);
    std::mt19937 generator(1);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (char& byte : set->pixels) {
        byte = char(generator() & 0xff);
    }
    for (int c = 0; c < 10; ++c) {
        set->classNames << QStringLiteral("class %1").arg(c);
    }
    for (int i = 0; i < kImages; ++i) {
        set->labels.append(int(generator() % 10));
        set->scores.append(uniform(generator));
    }

    tau::widgets::CertaintyBrowser browser;
    browser.resize(1280, 800);
    browser.show();
    QElapsedTimer clock;
    clock.start();
    browser.setImageSet(set);
    QApplication::processEvents();
    const double loadMs = double(clock.nsecsElapsed()) / 1e6;

    auto* view = browser.findChild<QListView*>(QStringLiteral("certaintyGrid"));
    QScrollBar* bar = view->verticalScrollBar();
    std::vector<double> frames;
    for (int page = 0; page < 200; ++page) {
        clock.restart();
        bar->setValue(std::min(bar->maximum(), bar->value() + bar->pageStep()));
        view->viewport()->repaint();
        frames.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    clock.restart();
    bar->setValue(bar->maximum()); // a jump to the least certain end
    view->viewport()->repaint();
    const double jumpMs = double(clock.nsecsElapsed()) / 1e6;
    clock.restart();
    browser.gridModel()->setClassFilter(3);
    view->viewport()->repaint();
    const double filterMs = double(clock.nsecsElapsed()) / 1e6;

    std::sort(frames.begin(), frames.end());
    std::printf("{\"images\": %d, \"load_ms\": %.1f, \"scroll_page_median_ms\": %.2f, \"scroll_page_max_ms\": %.2f, "
                "\"jump_to_end_ms\": %.2f, \"class_filter_ms\": %.1f}\n",
                kImages, loadMs, frames[frames.size() / 2], frames.back(), jumpMs, filterMs);
    return 0;
}
