package dev.sluice.spring.slice;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application Boot's test slices in this package find: one entity and its repository. */
@SpringBootApplication
class SliceApplication {}
