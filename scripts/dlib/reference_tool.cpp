// dlib 19.24 reference runs for Pivot's detector and landmark port (built by scripts/build-dlib-reference).
//   reference_tool dump IMAGE OUT.rgb      decoded pixels as dlib sees them: "W H\n" then W*H*3 bytes RGB
//   reference_tool detect PREDICTOR IMAGE [UPSAMPLE]   boxes, confidences, filter and 68 points, one face a line
//   reference_tool bench PREDICTOR REPEATS IMAGE...    milliseconds per photo for detection and landmarks
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_io.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <vector>

using namespace dlib;
typedef array2d<rgb_pixel> image;

// Thread CPU time, which on a shared machine is steadier than wall time; wall time is printed too.
static double cpu_milliseconds() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char** argv) {
    if (argc < 3) { std::cerr << "usage: see the header of reference_tool.cpp\n"; return 2; }
    std::string mode = argv[1];
    if (mode == "dump" && argc == 4) {
        image img;
        load_image(img, argv[2]);
        std::ofstream out(argv[3], std::ios::binary);
        out << img.nc() << " " << img.nr() << "\n";
        for (long r = 0; r < img.nr(); ++r)
            for (long c = 0; c < img.nc(); ++c)
                out.put(img[r][c].red).put(img[r][c].green).put(img[r][c].blue);
        return 0;
    }
    if (mode == "detect" && (argc == 4 || argc == 5)) {
        shape_predictor predictor;
        deserialize(argv[2]) >> predictor;
        frontal_face_detector detector = get_frontal_face_detector();
        image img;
        load_image(img, argv[3]);
        unsigned long upsample = argc == 5 ? std::stoul(argv[4]) : 1;
        image up;
        assign_image(up, img);
        for (unsigned long i = 0; i < upsample; ++i) pyramid_up(up);
        std::vector<rect_detection> dets;
        detector(up, dets, 0.0);
        for (auto& d : dets) {
            rectangle box = d.rect;
            for (unsigned long i = 0; i < upsample; ++i) box = pyramid_down<2>().rect_down(box);
            full_object_detection shape = predictor(img, box);
            std::printf("%ld %ld %ld %ld %.6f %lu", box.left(), box.top(), box.right(), box.bottom(),
                        d.detection_confidence, d.weight_index);
            for (unsigned long k = 0; k < shape.num_parts(); ++k)
                std::printf(" %ld %ld", shape.part(k).x(), shape.part(k).y());
            std::printf("\n");
        }
        return 0;
    }
    if (mode == "bench" && argc >= 5) {
        shape_predictor predictor;
        deserialize(argv[2]) >> predictor;
        frontal_face_detector detector = get_frontal_face_detector();
        int repeats = std::stoi(argv[3]);
        std::printf("%-28s %9s %5s  %-26s %-26s\n", "photo", "size", "faces",
                    "detect ms med/max (cpu)", "landmarks ms med/max (cpu)");
        for (int i = 4; i < argc; ++i) {
            image img;
            load_image(img, argv[i]);
            std::vector<double> detect_ms, detect_cpu, landmark_ms, landmark_cpu;
            size_t faces = 0;
            for (int r = 0; r < repeats; ++r) {
                auto start = std::chrono::steady_clock::now();
                double cpu_start = cpu_milliseconds();
                image up;
                pyramid_up(img, up, pyramid_down<2>());
                std::vector<rectangle> dets = detector(up);
                detect_ms.push_back(milliseconds_since(start));
                detect_cpu.push_back(cpu_milliseconds() - cpu_start);
                faces = dets.size();
                start = std::chrono::steady_clock::now();
                cpu_start = cpu_milliseconds();
                for (auto& d : dets) {
                    full_object_detection shape = predictor(img, pyramid_down<2>().rect_down(d));
                    (void)shape;
                }
                landmark_ms.push_back(milliseconds_since(start));
                landmark_cpu.push_back(cpu_milliseconds() - cpu_start);
            }
            std::string name = argv[i];
            name = name.substr(name.find_last_of('/') + 1);
            char detect_text[64], landmark_text[64];
            std::snprintf(detect_text, sizeof detect_text, "%.1f / %.1f (%.1f)", median(detect_ms),
                          *std::max_element(detect_ms.begin(), detect_ms.end()), median(detect_cpu));
            std::snprintf(landmark_text, sizeof landmark_text, "%.1f / %.1f (%.1f)", median(landmark_ms),
                          *std::max_element(landmark_ms.begin(), landmark_ms.end()), median(landmark_cpu));
            std::printf("%-28s %4ldx%-4ld %5zu  %-26s %-26s\n", name.c_str(), img.nc(), img.nr(), faces,
                        detect_text, landmark_text);
        }
        return 0;
    }
    std::cerr << "usage: see the header of reference_tool.cpp\n";
    return 2;
}
