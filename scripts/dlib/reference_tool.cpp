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
#include <fstream>
#include <iostream>
#include <vector>

using namespace dlib;
typedef array2d<rgb_pixel> image;

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
        std::printf("%-32s %9s %6s %12s %12s %12s %12s\n", "photo", "size", "faces",
                    "detect med", "detect max", "landmk med", "landmk max");
        for (int i = 4; i < argc; ++i) {
            image img;
            load_image(img, argv[i]);
            std::vector<double> detect_ms, landmark_ms;
            size_t faces = 0;
            for (int r = 0; r < repeats; ++r) {
                auto start = std::chrono::steady_clock::now();
                image up;
                pyramid_up(img, up, pyramid_down<2>());
                std::vector<rectangle> dets = detector(up);
                detect_ms.push_back(milliseconds_since(start));
                faces = dets.size();
                start = std::chrono::steady_clock::now();
                for (auto& d : dets) {
                    rectangle box = pyramid_down<2>().rect_down(d);
                    full_object_detection shape = predictor(img, box);
                    (void)shape;
                }
                landmark_ms.push_back(milliseconds_since(start));
            }
            std::string name = argv[i];
            name = name.substr(name.find_last_of('/') + 1);
            std::printf("%-32s %4ldx%-4ld %6zu %12.2f %12.2f %12.3f %12.3f\n", name.c_str(), img.nc(), img.nr(),
                        faces, median(detect_ms), *std::max_element(detect_ms.begin(), detect_ms.end()),
                        median(landmark_ms), *std::max_element(landmark_ms.begin(), landmark_ms.end()));
        }
        return 0;
    }
    std::cerr << "usage: see the header of reference_tool.cpp\n";
    return 2;
}
